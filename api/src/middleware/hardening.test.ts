import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken } from '@faultline/core/accounts'
import { ApiHarness } from '../testing/api-harness'

let h: ApiHarness
let token: string

beforeAll(async () => {
  h = await ApiHarness.start({ API_CORS_ORIGINS: 'https://dashboard.example.test', API_RATE_LIMIT_PER_MINUTE: '5', API_IP_RATE_LIMIT_PER_MINUTE: '50' })
  const org = await h.organization('Acme')
  token = (await createApiToken(h.platform.accounts.tokens, { kind: 'org', orgId: org._id, name: 't', scopes: ['projects:read'] })).token
}, 60_000)
afterAll(() => h?.close())

describe('API hardening', () => {
  it('sends security headers on every answer, errors included', async () => {
    for (const answer of [await h.request('GET', '/openapi.json'), await h.request('GET', '/projects')]) {
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff')
      expect(answer.headers.get('x-frame-options')).toBe('DENY')
      expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'")
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer')
    }
  })

  it('answers CORS for the configured origin only', async () => {
    const preflight = (origin: string) =>
      h.request('OPTIONS', '/projects', undefined, { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' })
    const allowed = await preflight('https://dashboard.example.test')
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://dashboard.example.test')
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true')
    const other = await preflight('https://evil.example.test')
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('limits requests per caller and records the excess once', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) statuses.push((await h.bearer(token, 'GET', '/projects')).status)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429])
    const limited = await h.bearer(token, 'GET', '/projects')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await h.platform.audit.search({ action: 'excess_rate_limit_exceeded' })).length).toBe(1)
  })
})
