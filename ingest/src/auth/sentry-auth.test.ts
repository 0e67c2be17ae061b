import { describe, expect, it } from 'vitest'
import { parseDsn, parseSentryAuth, type SentryAuthInput } from './sentry-auth'

const KEY = '0123456789abcdef0123456789abcdef'
const OTHER = 'fedcba9876543210fedcba9876543210'
const DSN = `https://${KEY}@o1.ingest.example.com/42`

const auth = (input: Partial<Omit<SentryAuthInput, 'query'>> & { query?: URLSearchParams | string }) =>
  parseSentryAuth({
    headers: input.headers ?? {},
    query: typeof input.query === 'string' ? new URLSearchParams(input.query) : (input.query ?? new URLSearchParams()),
    ...(input.envelopeDsn === undefined ? {} : { envelopeDsn: input.envelopeDsn }),
  })

describe('parseSentryAuth', () => {
  it('reads X-Sentry-Auth as the SDKs send it', () => {
    const header = `Sentry sentry_version=7, sentry_client=sentry.javascript.node/10.5.0, sentry_key=${KEY}`
    expect(auth({ headers: { xSentryAuth: header } })).toEqual({
      ok: true,
      publicKey: KEY,
      sdk: 'sentry.javascript.node/10.5.0',
      version: '7',
      source: 'x-sentry-auth',
    })
  })

  it('accepts X-Sentry-Auth without the scheme, with extra spaces, quotes, legacy fields and upper-case hex', () => {
    const header = ` sentry_key = "${KEY.toUpperCase()}" ,sentry_secret=abc,sentry_timestamp=1700000000`
    expect(auth({ headers: { xSentryAuth: header } })).toMatchObject({ ok: true, publicKey: KEY })
    expect(auth({ headers: { xSentryAuth: `Sentry key=${KEY}, version=7` } })).toMatchObject({ ok: true, publicKey: KEY, version: '7' })
  })

  it('reads Authorization: Sentry and Authorization: DSN', () => {
    expect(auth({ headers: { authorization: `Sentry sentry_key=${KEY}, sentry_version=7` } })).toMatchObject({ ok: true, publicKey: KEY, source: 'authorization' })
    expect(auth({ headers: { authorization: `DSN ${DSN}` } })).toEqual({ ok: true, publicKey: KEY, projectId: '42', source: 'authorization' })
  })

  it('ignores Authorization schemes that are not Sentry', () => {
    expect(auth({ headers: { authorization: 'Bearer abc.def.ghi' }, query: `sentry_key=${KEY}` })).toMatchObject({ ok: true, source: 'query' })
    expect(auth({ headers: { authorization: 'Bearer abc.def.ghi' } })).toMatchObject({ ok: false, reason: expect.stringContaining('missing sentry_key') })
  })

  it('reads the query string as browsers send it', () => {
    const query = `sentry_key=${KEY}&sentry_version=7&sentry_client=sentry.javascript.browser%2F10.5.0`
    expect(auth({ query })).toEqual({ ok: true, publicKey: KEY, sdk: 'sentry.javascript.browser/10.5.0', version: '7', source: 'query' })
  })

  it('falls back to the dsn of the envelope header, returning its project id', () => {
    expect(auth({ envelopeDsn: DSN })).toEqual({ ok: true, publicKey: KEY, projectId: '42', source: 'envelope-dsn' })
    expect(auth({ envelopeDsn: `http://${KEY}:legacysecret@localhost:9000/sentry/7` })).toMatchObject({ ok: true, projectId: '7' })
  })

  it('prefers headers to the query and the envelope when the keys agree', () => {
    const result = auth({ headers: { xSentryAuth: `Sentry sentry_key=${KEY}` }, query: `sentry_key=${KEY}`, envelopeDsn: DSN })
    expect(result).toMatchObject({ ok: true, source: 'x-sentry-auth' })
  })

  it('refuses requests naming two different keys', () => {
    expect(auth({ headers: { xSentryAuth: `Sentry sentry_key=${KEY}` }, query: `sentry_key=${OTHER}` })).toEqual({
      ok: false,
      reason: 'conflicting project keys in x-sentry-auth and query',
    })
    expect(auth({ query: `sentry_key=${OTHER}`, envelopeDsn: DSN })).toMatchObject({ ok: false, reason: expect.stringContaining('conflicting') })
  })

  it('refuses missing and malformed keys with a reason', () => {
    expect(auth({})).toMatchObject({ ok: false, reason: expect.stringContaining('missing sentry_key') })
    for (const xSentryAuth of ['Sentry sentry_version=7', `Sentry sentry_key=${KEY}0`, 'Sentry sentry_key=zzzz456789abcdef0123456789abcdef', 'Sentry sentry_key=']) {
      expect(auth({ headers: { xSentryAuth } }).ok, xSentryAuth).toBe(false)
    }
    expect(auth({ query: 'sentry_key=short' })).toMatchObject({ ok: false, reason: 'sentry_key query parameter sentry_key must be 32 hex characters' })
    expect(auth({ query: 'sentry_key=' }).ok).toBe(false)
    expect(auth({ headers: { authorization: 'DSN not a url' } })).toEqual({ ok: false, reason: 'dsn is not a URL' })
  })

  it('bounds the client string it returns', () => {
    const result = auth({ query: `sentry_key=${KEY}&sentry_client=${'x'.repeat(10_000)}` })
    expect(result.ok && result.sdk?.length).toBe(256)
  })
})

describe('parseDsn', () => {
  it('parses Sentry DSNs', () => {
    expect(parseDsn(DSN)).toEqual({ ok: true, publicKey: KEY, projectId: '42', host: 'o1.ingest.example.com', protocol: 'https' })
    expect(parseDsn(`http://${KEY}@127.0.0.1:8080/prefix/proj_1`)).toEqual({ ok: true, publicKey: KEY, projectId: 'proj_1', host: '127.0.0.1:8080', protocol: 'http' })
  })

  it('refuses other schemes, bad keys and missing project ids', () => {
    expect(parseDsn(`ftp://${KEY}@host/1`)).toMatchObject({ ok: false })
    expect(parseDsn('https://host/1')).toMatchObject({ ok: false, reason: expect.stringContaining('public key') })
    expect(parseDsn(`https://${KEY}@host/`)).toMatchObject({ ok: false, reason: expect.stringContaining('project id') })
    expect(parseDsn(`https://${KEY}@host/a%20b`)).toMatchObject({ ok: false })
  })
})
