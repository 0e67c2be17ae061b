import { describe, expect, it } from 'vitest'
import { dsnToString, getEnvelopeEndpoint, getEnvelopeEndpointWithAuth, parseDsn } from './dsn'

describe('parseDsn', () => {
  it('parses key, host, port and project id', () => {
    expect(parseDsn('http://abc123@localhost:8080/42')).toEqual({ protocol: 'http', publicKey: 'abc123', host: 'localhost', port: '8080', path: '', projectId: '42' })
  })

  it('keeps a path prefix and ignores a legacy secret key', () => {
    const dsn = parseDsn('https://pub:secret@faultline.example.com/sub/dir/7')
    expect(dsn).toMatchObject({ protocol: 'https', publicKey: 'pub', host: 'faultline.example.com', port: '', path: 'sub/dir', projectId: '7' })
    expect(getEnvelopeEndpoint(dsn)).toBe('https://faultline.example.com/sub/dir/api/7/envelope/')
    expect(dsnToString(dsn)).toBe('https://pub@faultline.example.com/sub/dir/7')
  })

  it('builds the authenticated envelope URL', () => {
    const url = new URL(getEnvelopeEndpointWithAuth(parseDsn('http://k@127.0.0.1:9000/3'), { name: 'faultline.node', version: '0.1.0' }))
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:9000/api/3/envelope/')
    expect(url.searchParams.get('sentry_key')).toBe('k')
    expect(url.searchParams.get('sentry_version')).toBe('7')
    expect(url.searchParams.get('sentry_client')).toBe('faultline.node/0.1.0')
  })

  it.each(['', 'not a dsn', 'ftp://k@host/1', 'https://host/1', 'https://k@host/', 'https://k@host'])('rejects %j', (input) => {
    expect(() => parseDsn(input)).toThrow(/DSN/)
  })
})
