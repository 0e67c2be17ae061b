/**
 * Tokens and DSN keys through the API: a token is shown once and stored hashed, carries only
 * scopes its creator holds, is refused after revocation (and the reuse is audited); a key rotated
 * with an overlap keeps working until the overlap ends, a revoked one stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashToken, type OrganizationDoc } from '@faultline/core/accounts'
import { keyRefusal } from '@faultline/core/projects'
import { ApiHarness, type Browser } from '../testing/api-harness'

let h: ApiHarness
let org: OrganizationDoc
let admin: Browser
let member: Browser
let projectId: string
const password = 'correct horse battery staple'

beforeAll(async () => {
  h = await ApiHarness.start()
  org = await h.organization('Acme')
  await h.user('adm@acme.test', password, org, 'admin')
  await h.user('mem@acme.test', password, org, 'member')
  admin = h.browser()
  member = h.browser()
  await admin.signIn('adm@acme.test', password)
  await member.signIn('mem@acme.test', password)
  projectId = (await admin.request('POST', `/orgs/${org._id}/projects`, { name: 'Shop' })).body.id
}, 60_000)
afterAll(() => h?.close())

describe('API tokens', () => {
  it('shows an organization token once, stores only its hash, and refuses scopes the creator does not hold', async () => {
    const created = await admin.request('POST', `/orgs/${org._id}/tokens`, { name: 'ci', scopes: ['issues:read', 'keys:read'], projectIds: [projectId], expiresInDays: 30 })
    expect(created.status).toBe(201)
    const plain: string = created.body.token
    expect(plain).toMatch(/^flt_/)
    const stored = await h.platform.accounts.tokens.get(hashToken(plain))
    expect(stored).toMatchObject({ kind: 'org', orgId: org._id, projectIds: [projectId], scopes: ['issues:read', 'keys:read'] })
    expect(JSON.stringify(stored)).not.toContain(plain)
    const listed = (await admin.request('GET', `/orgs/${org._id}/tokens`)).body.data
    expect(JSON.stringify(listed)).not.toContain(plain)
    expect((await admin.request('POST', `/orgs/${org._id}/tokens`, { name: 'x', scopes: ['organization:write'] })).status).toBe(403)
    expect((await admin.request('POST', `/orgs/${org._id}/tokens`, { name: 'x', scopes: ['instance:read'] })).status).toBe(403)
    expect((await admin.request('POST', `/orgs/${org._id}/tokens`, { name: 'x', scopes: ['issues:read'], projectIds: ['99999'] })).status).toBe(400)
    expect((await admin.request('POST', `/orgs/${org._id}/tokens`, { name: 'x', scopes: ['nope:read'] })).status).toBe(400)
  })

  it('acts with a personal token no further than its user: a member cannot write keys even with the scope', async () => {
    const created = await member.request('POST', '/me/tokens', { name: 'laptop', scopes: ['issues:read', 'keys:read'] })
    expect(created.status).toBe(201)
    expect((await member.request('POST', '/me/tokens', { name: 'x', scopes: ['keys:write'] })).status).toBe(403)
    expect((await h.bearer(created.body.token, 'GET', `/projects/${projectId}/keys`)).status).toBe(200)
    await h.platform.accounts.memberships.updateMany({ orgId: org._id, userId: created.body.userId }, { $set: { role: 'viewer' } })
    expect((await h.bearer(created.body.token, 'GET', `/projects/${projectId}/keys`)).status).toBe(403)
    await h.platform.accounts.memberships.updateMany({ orgId: org._id, userId: created.body.userId }, { $set: { role: 'member' } })
  })

  it('refuses a revoked token at once, records its reuse, and records last use', async () => {
    const { body } = await admin.request('POST', `/orgs/${org._id}/tokens`, { name: 'short-lived', scopes: ['projects:read'] })
    expect((await h.bearer(body.token, 'GET', `/projects/${projectId}`)).status).toBe(200)
    expect((await h.platform.accounts.tokens.get(body.id))?.lastUsedAt).toBeGreaterThan(0)
    expect((await admin.request('DELETE', `/orgs/${org._id}/tokens/${body.id}`)).status).toBe(204)
    const reuse = await h.bearer(body.token, 'GET', `/projects/${projectId}`)
    expect(reuse.status).toBe(401)
    expect(reuse.body.detail).toMatch(/revoked/)
    const actions = (await h.platform.audit.search({ orgId: org._id, limit: 100 })).map((d) => d.action)
    expect(actions).toEqual(expect.arrayContaining(['authn_token_created', 'authn_token_revoked', 'authn_token_reuse']))
    expect((await admin.request('DELETE', `/orgs/${org._id}/tokens/${body.id}`)).status).toBe(404)
  })
})

describe('DSN keys', () => {
  it('rotates a key with an overlap, limits per key, and revokes', async () => {
    const [first] = (await admin.request('GET', `/projects/${projectId}/keys`)).body.data
    const rotated = await admin.request('POST', `/projects/${projectId}/keys/${first.publicKey}/rotate`, { overlapMinutes: 60 })
    expect(rotated.status).toBe(201)
    const successor = rotated.body.key.publicKey
    const old = (await h.platform.projects.keys.get(first.publicKey))!
    expect(keyRefusal(old)).toBeNull()
    expect(keyRefusal(old, Date.now() + 61 * 60_000)).toMatch(/rotated/)
    expect(keyRefusal((await h.platform.projects.keys.get(successor))!, Date.now() + 61 * 60_000)).toBeNull()
    const limited = await admin.request('PATCH', `/projects/${projectId}/keys/${successor}`, { rateLimitPerMinute: 100 })
    expect(limited.body.rateLimitPerMinute).toBe(100)
    expect((await member.request('POST', `/projects/${projectId}/keys`, { label: 'x' })).status).toBe(403)
    expect((await admin.request('DELETE', `/projects/${projectId}/keys/${successor}`)).status).toBe(204)
    expect(keyRefusal((await h.platform.projects.keys.get(successor))!)).toMatch(/revoked/)
    expect((await admin.request('POST', `/projects/${projectId}/keys/${successor}/rotate`, {})).status).toBe(409)
    const actions = (await h.platform.audit.search({ orgId: org._id, limit: 100 })).map((d) => d.action)
    expect(actions).toEqual(expect.arrayContaining(['sensitive_key_rotated', 'sensitive_key_revoked']))
  })
})
