/**
 * Faultline's own audit records reach the security timeline of the designated project
 * (SECURITY_AUDIT_PROJECT): failed sign-ins against Faultline show up as authn_login_fail events
 * of dataset `faultline`, with the address they came from, once each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFaultline, type TestFaultline } from './support/faultline'

let fl: TestFaultline

beforeAll(async () => {
  // The first project of a fresh data directory is project 1: the one the support creates.
  fl = await startFaultline({ SECURITY_AUDIT_PROJECT: '1' })
  expect(fl.projectId).toBe('1')
}, 120_000)

afterAll(async () => {
  await fl?.stop()
})

describe('audit feed', () => {
  it('forwards failed sign-ins to the designated project once each', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${fl.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'mallory@example.test', password: `guess-${i}` }) })
      expect(response.status).toBeGreaterThanOrEqual(400)
    }
    const events = await fl.waitFor(async () => {
      const result = await fl.api('GET', `/projects/${fl.projectId}/security/events?action=authn_login_fail&limit=50`)
      return result.body.data?.length >= 3 && result.body.data
    })
    expect(events).toHaveLength(3)
    expect(events[0].event).toMatchObject({ event: { action: 'authn_login_fail', outcome: 'failure', dataset: 'faultline', provider: 'faultline' }, source: { ip: '127.0.0.1' } })
  })
})
