/** Just-in-time elevation end to end: request with a reason, approval by an admin, the role in force, expiry by itself, all audited. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTeam } from '@faultline/core/accounts'
import { ApiHarness } from '../testing/api-harness'

let h: ApiHarness
const password = 'correct horse battery staple'

beforeAll(async () => {
  h = await ApiHarness.start()
}, 60_000)
afterAll(() => h?.close())

describe('just-in-time elevation', () => {
  it('raises a member on one team-limited project until it expires, after an admin approves', async () => {
    const org = await h.organization('Acme')
    await h.user('adm@acme.test', password, org, 'admin')
    await h.user('mem@acme.test', password, org, 'member')
    const [admin, member] = [h.browser(), h.browser()]
    await admin.signIn('adm@acme.test', password)
    await member.signIn('mem@acme.test', password)
    const team = await createTeam(h.platform.accounts, org._id, 'Payments')
    const projectId = (await admin.request('POST', `/orgs/${org._id}/projects`, { name: 'Payments', teamIds: [team._id] })).body.id
    expect((await member.request('GET', `/projects/${projectId}/keys`)).status).toBe(404)

    expect((await member.request('POST', `/orgs/${org._id}/elevations`, { projectId, role: 'admin', reason: 'short', minutes: 30 })).status).toBe(400)
    const asked = await member.request('POST', `/orgs/${org._id}/elevations`, { projectId, role: 'admin', reason: 'incident 42: rotate the leaked DSN', minutes: 30 })
    expect(asked.status).toBe(201)
    expect((await member.request('POST', `/orgs/${org._id}/elevations/${asked.body.id}/approve`)).status).toBe(403)
    expect((await member.request('GET', `/projects/${projectId}/keys`)).status).toBe(404)
    const approved = await admin.request('POST', `/orgs/${org._id}/elevations/${asked.body.id}/approve`)
    expect(approved.status).toBe(200)
    expect((await member.request('GET', `/projects/${projectId}/keys`)).status).toBe(200)
    expect((await member.request('POST', `/projects/${projectId}/keys`, { label: 'new' })).status).toBe(201)
    expect((await admin.request('POST', `/orgs/${org._id}/elevations/${asked.body.id}/deny`)).status).toBe(409)

    await h.platform.accounts.elevations.updateMany({ _id: asked.body.id }, { $set: { expiresAt: Date.now() - 1 } })
    expect((await member.request('GET', `/projects/${projectId}/keys`)).status).toBe(404)
    const actions = (await h.platform.audit.search({ orgId: org._id, limit: 100 })).map((d) => d.action)
    expect(actions).toEqual(expect.arrayContaining(['authz_elevation_requested', 'authz_elevation_approved', 'sensitive_key_created']))
  })
})
