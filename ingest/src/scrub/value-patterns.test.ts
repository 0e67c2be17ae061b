import { describe, expect, it } from 'vitest'
import { costGrowth, superLinearGrowth } from '@faultline/core/testing'
import { createKeyClassifier } from './sensitive-keys'
import { hostileStrings } from './hostile-strings'
import { isCardNumber, luhn, scrubString, type Counter } from './value-patterns'

const options = { scrubEmails: true, classifyKey: createKeyClassifier() }
function scrub(text: string, scrubEmails = true): { text: string; count: number } {
  const counter: Counter = { count: 0 }
  return { text: scrubString(text, { ...options, scrubEmails }, counter), count: counter.count }
}
const s = (text: string) => scrub(text).text

describe('value rules', () => {
  it('masks Luhn-valid card numbers with or without separators', () => {
    expect(s('paid with 4111111111111111 today')).toBe('paid with [Filtered] today')
    expect(s('card 4111 1111 1111 1111.')).toBe('card [Filtered].')
    expect(s('amex 3782-822463-10005, mc 5555555555554444')).toBe('amex [Filtered], mc [Filtered]')
    expect(s('2223003122003222')).toBe('[Filtered]')
  })

  it('leaves numbers that are not card numbers', () => {
    expect(s('card 4111111111111112 fails Luhn')).toBe('card 4111111111111112 fails Luhn')
    expect(s('at 1700000000000 ms')).toBe('at 1700000000000 ms') // Luhn-valid? irrelevant: no card starts with 1
    expect(s('id 41111111111111110000000 too long')).toBe('id 41111111111111110000000 too long')
    expect(s('hex a4111111111111111b')).toBe('hex a4111111111111111b')
    expect(s('order 4111-1111')).toBe('order 4111-1111')
    expect(isCardNumber('0000000000000000')).toBe(false)
    expect(luhn('79927398713')).toBe(true)
    expect(luhn('79927398710')).toBe(false)
  })

  it('masks US SSNs but not the invalid ranges', () => {
    expect(s('ssn 123-45-6789 on file')).toBe('ssn [Filtered] on file')
    for (const invalid of ['000-12-3456', '666-12-3456', '900-12-3456', '999-12-3456', '123-00-4567', '123-45-0000']) {
      expect(s(`x ${invalid} y`), invalid).toBe(`x ${invalid} y`)
    }
    expect(s('phone 555-123-4567, date 2024-01-15')).toBe('phone 555-123-4567, date 2024-01-15')
    expect(s('1123-45-67890')).toBe('1123-45-67890')
  })

  it('masks emails in free text unless disabled', () => {
    expect(s('sent to jane.doe+tag@mail.example.co.uk, ok')).toBe('sent to [Filtered], ok')
    expect(scrub('sent to jane@example.com', false).text).toBe('sent to jane@example.com')
    expect(s('installed @sentry/node@10.5.0 and lodash@4.17.21')).toBe('installed @sentry/node@10.5.0 and lodash@4.17.21')
  })

  it('masks bearer tokens and basic credentials, keeping the scheme', () => {
    expect(s('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.sig_123')).toBe('Authorization: Bearer [Filtered]')
    expect(s('called with bearer abcdef0123456789abcdef in header')).toBe('called with bearer [Filtered] in header')
    expect(s('header was Basic dXNlcjpodW50ZXIy')).toBe('header was Basic [Filtered]')
    expect(s('Authorization: Basic dXNlcjpodW50ZXIy')).toBe('Authorization: Basic [Filtered]')
    expect(s('basic authentication is unsupported')).toBe('basic authentication is unsupported')
    expect(s('Bearer tokens are described in RFC 6750')).toBe('Bearer tokens are described in RFC 6750')
  })

  it('masks PEM private keys, even truncated ones, and leaves certificates', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----'
    expect(s(`key: ${pem} loaded`)).toBe('key: [Filtered] loaded')
    expect(s('x -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA')).toBe('x [Filtered]')
    expect(s('-----BEGIN PRIVATE KEY-----abc-----END PRIVATE KEY----- and -----BEGIN EC PRIVATE KEY-----def-----END EC PRIVATE KEY-----')).toBe('[Filtered] and [Filtered]')
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'
    expect(s(cert)).toBe(cert)
  })

  it('masks AWS access key ids', () => {
    expect(s('using AKIAIOSFODNN7EXAMPLE for s3')).toBe('using [Filtered] for s3')
    expect(s('XAKIAIOSFODNN7EXAMPLE')).toBe('XAKIAIOSFODNN7EXAMPLE')
  })

  it('masks the password of URL userinfo, keeping user and host', () => {
    expect(s('connect postgres://app:s3cr3t@db.internal:5432/main failed')).toBe('connect postgres://app:[Filtered]@db.internal:5432/main failed')
    expect(s('redis://:hunter2@cache:6379')).toBe('redis://:[Filtered]@cache:6379')
    expect(s('https://example.com/a:b@c')).toBe('https://example.com/a:b@c')
  })

  it('masks secret values of query strings, form bodies, JSON text and logs, keeping the rest', () => {
    expect(s('GET /login?user=bob&password=hunter2&next=%2F')).toBe('GET /login?user=bob&password=[Filtered]&next=%2F')
    expect(s('https://api.example.com/v1?access_token=abc.def&page=2#top')).toBe('https://api.example.com/v1?access_token=[Filtered]&page=2#top')
    expect(s('user%5Bname%5D=bob&user[password]=pw&X-Api-Key=k1')).toBe('user%5Bname%5D=bob&user[password]=[Filtered]&X-Api-Key=[Filtered]')
    expect(s('{"username":"bob","password":"hunter 2 \\" x","api_key": "abc"}')).toBe('{"username":"bob","password":"[Filtered]","api_key": "[Filtered]"}')
    expect(s("config: secret='xyz' mode=prod")).toBe("config: secret='[Filtered]' mode=prod")
    expect(s('Invalid token: abc123')).toBe('Invalid token: [Filtered]')
    expect(s('session_id=;path=/')).toBe('session_id=;path=/')
    expect(s('Error: TypeError at 12:30 in author=ann')).toBe('Error: TypeError at 12:30 in author=ann')
  })

  it('counts each replacement and is idempotent', () => {
    const first = scrub('password=a token=b jane@example.com 4111111111111111')
    expect(first.count).toBe(4)
    expect(scrub(first.text)).toEqual({ text: first.text, count: 0 })
  })
})

describe('value rules against hostile strings', () => {
  it.each(Object.keys(hostileStrings))('scrubs a %s string in time linear in its length', (name) => {
    const [small, large] = [hostileStrings[name]!(1), hostileStrings[name]!(8)]
    expect(large.length).toBeGreaterThanOrEqual(88_000)
    const growth = costGrowth(() => scrub(small), () => scrub(large))
    expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(superLinearGrowth)
  })
})
