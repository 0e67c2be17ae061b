/**
 * Who is sending: the project key of a Sentry-protocol request. Sentry SDKs put it in one of four
 * places, and relay reads them in this order: the `X-Sentry-Auth` header, `Authorization: Sentry
 * ...` or `Authorization: DSN <dsn>`, the `sentry_key` query parameter (browsers, which cannot set
 * headers on beacons), and the `dsn` of the envelope header (tunnels forward bodies without auth).
 * Keys found in several places must agree; a request naming two keys is refused.
 */

export const AuthSources = {
  xSentryAuth: 'x-sentry-auth',
  authorization: 'authorization',
  query: 'query',
  envelopeDsn: 'envelope-dsn',
} as const
export type AuthSource = (typeof AuthSources)[keyof typeof AuthSources]

export interface SentryAuthInput {
  query: URLSearchParams
  headers: { xSentryAuth?: string | null; authorization?: string | null }
  /** The `dsn` field of the envelope header, when the body is an envelope. */
  envelopeDsn?: string
}

export type SentryAuthResult =
  | {
      ok: true
      /** 32 lowercase hex digits. */
      publicKey: string
      /** `sentry_client`, e.g. `sentry.javascript.node/10.5.0`. */
      sdk?: string
      /** `sentry_version`, e.g. `7`. */
      version?: string
      /** The project id of the DSN the key came from, for the route to check against its path. */
      projectId?: string
      source: AuthSource
    }
  /** `missing`: no key anywhere, as opposed to a malformed or conflicting one. */
  | { ok: false; reason: string; missing?: true }

export type DsnResult = { ok: true; publicKey: string; projectId: string; host: string; protocol: 'http' | 'https' } | { ok: false; reason: string }

type Found = { publicKey: string; sdk?: string; version?: string; projectId?: string; source: AuthSource }
type Step = { ok: true; found: Found | undefined } | { ok: false; reason: string }

const PUBLIC_KEY = /^[0-9a-f]{32}$/i
const PROJECT_ID = /^[A-Za-z0-9_-]{1,64}$/
const MAX_CLIENT_LENGTH = 256

export function parseSentryAuth(input: SentryAuthInput): SentryAuthResult {
  const steps: Step[] = [
    fromXSentryAuth(input.headers.xSentryAuth),
    fromAuthorization(input.headers.authorization),
    fromQuery(input.query),
    input.envelopeDsn === undefined ? { ok: true, found: undefined } : fromDsn(input.envelopeDsn, 'envelope-dsn'),
  ]
  let chosen: Found | undefined
  for (const step of steps) {
    if (!step.ok) return step
    if (step.found === undefined) continue
    if (chosen === undefined) chosen = step.found
    else if (chosen.publicKey !== step.found.publicKey) {
      return { ok: false, reason: `conflicting project keys in ${chosen.source} and ${step.found.source}` }
    }
  }
  if (chosen === undefined) {
    return { ok: false, missing: true, reason: 'missing sentry_key: send X-Sentry-Auth, Authorization, the sentry_key query parameter or a dsn in the envelope header' }
  }
  return { ok: true, ...chosen }
}

/** Parses `http(s)://PUBLIC_KEY[:legacy secret]@host[:port]/[path/]PROJECT_ID`. */
export function parseDsn(dsn: string): DsnResult {
  let url: URL
  try {
    url = new URL(dsn.trim())
  } catch {
    // URL's only failure is an unparsable string; the caller gets it as a reason.
    return { ok: false, reason: 'dsn is not a URL' }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'dsn must be an http or https URL' }
  // Not percent-decoded: a valid key is plain hex, and anything else is refused below anyway.
  const publicKey = url.username
  if (!PUBLIC_KEY.test(publicKey)) return { ok: false, reason: 'dsn public key must be 32 hex characters' }
  const projectId = url.pathname.split('/').filter((segment) => segment !== '').pop()
  if (projectId === undefined || !PROJECT_ID.test(projectId)) return { ok: false, reason: 'dsn has no valid project id' }
  return { ok: true, publicKey: publicKey.toLowerCase(), projectId, host: url.host, protocol: url.protocol === 'https:' ? 'https' : 'http' }
}

function fromXSentryAuth(header: string | null | undefined): Step {
  if (header === null || header === undefined || header.trim() === '') return { ok: true, found: undefined }
  // Relay also accepts the pair list without the leading `Sentry` scheme.
  const pairs = header.trim().replace(/^sentry\s+/i, '')
  return fromPairs(parsePairs(pairs), 'x-sentry-auth', 'X-Sentry-Auth')
}

function fromAuthorization(header: string | null | undefined): Step {
  if (header === null || header === undefined) return { ok: true, found: undefined }
  const match = /^\s*(sentry|dsn)\s+(.*)$/is.exec(header)
  // Other schemes (Bearer, Basic) belong to proxies or apps in front of ingest, not to Sentry SDKs.
  if (match === null) return { ok: true, found: undefined }
  if ((match[1] as string).toLowerCase() === 'dsn') return fromDsn(match[2] as string, 'authorization')
  return fromPairs(parsePairs(match[2] as string), 'authorization', 'Authorization')
}

function fromQuery(query: URLSearchParams): Step {
  if (!query.has('sentry_key')) return { ok: true, found: undefined }
  const pairs = new Map<string, string>()
  for (const name of ['key', 'version', 'client']) {
    const value = query.get(`sentry_${name}`)
    if (value !== null) pairs.set(name, value)
  }
  return fromPairs(pairs, 'query', 'sentry_key query parameter')
}

function fromDsn(dsn: string, source: AuthSource): Step {
  const parsed = parseDsn(dsn)
  if (!parsed.ok) return parsed
  return { ok: true, found: { publicKey: parsed.publicKey, projectId: parsed.projectId, source } }
}

function fromPairs(pairs: Map<string, string>, source: AuthSource, where: string): Step {
  const key = pairs.get('key')
  if (key === undefined || key === '') return { ok: false, reason: `${where} has no sentry_key` }
  if (!PUBLIC_KEY.test(key)) return { ok: false, reason: `${where} sentry_key must be 32 hex characters` }
  const found: Found = { publicKey: key.toLowerCase(), source }
  const client = pairs.get('client')
  if (client !== undefined && client !== '') found.sdk = client.slice(0, MAX_CLIENT_LENGTH)
  const version = pairs.get('version')
  if (version !== undefined && version !== '') found.version = version.slice(0, 16)
  return { ok: true, found }
}

/** `sentry_key=abc, sentry_version=7` → { key: 'abc', version: '7' }; the `sentry_` prefix is optional, as in relay. */
function parsePairs(text: string): Map<string, string> {
  const pairs = new Map<string, string>()
  for (const part of text.split(',')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const name = part.slice(0, eq).trim().toLowerCase().replace(/^sentry_/, '')
    const value = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
    if (!pairs.has(name)) pairs.set(name, value)
  }
  return pairs
}
