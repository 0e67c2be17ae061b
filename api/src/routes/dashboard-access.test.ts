/** /me/permissions: what each caller may do, per organization and per project, as the matrix says. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken, type OrganizationDoc } from '@faultline/core/accounts'
import { createProject } from '@faultline/core/projects'
import { ApiHarness } from '../testing/api-harness'
import { writeSsoSettings } from '../services/sso'
import { levelOf, permissions, roleHolds } from '../permissions'

const viewerHolds = permissions.filter((p) => levelOf(p) === 'tenant' && roleHolds('viewer', p))

let h: ApiHarness
let org: OrganizationDoc
let other: OrganizationDoc
let projectId: string
const password = 'correct horse battery staple'

beforeAll(async () => {
  h = await ApiHarness.start()
  org = await h.organization('Acme')
  other = await h.organization('Other')
  projectId = (await createProject(h.platform.projects, org._id, 'Shop')).project._id
  await createProject(h.platform.projects, other._id, 'Hidden')
}, 60_000)
afterAll(() => h?.close())

describe('GET /me/permissions', () => {
  it("lists a viewer's read permissions and no write ones, in its organization and its projects only", async () => {
    await h.user('val@acme.test', password, org, 'viewer')
    const browser = h.browser()
    await browser.signIn('val@acme.test', password)
    const { status, body } = await browser.request('GET', '/me/permissions')
    expect(status).toBe(200)
    expect(body.orgs).toEqual([{ orgId: org._id, role: 'viewer', permissions: viewerHolds }])
    expect(body.projects).toEqual([{ projectId, orgId: org._id, role: 'viewer', permissions: viewerHolds }])
    expect(body.projects[0].permissions).toContain('issues:read')
    expect(body.projects[0].permissions).not.toContain('issues:write')
    expect(body.projects[0].permissions).toContain('elevation:request')
  })

  it('gives an owner the write permissions', async () => {
    await h.user('olga@acme.test', password, org, 'owner')
    const browser = h.browser()
    await browser.signIn('olga@acme.test', password)
    const { body } = await browser.request('GET', '/me/permissions')
    expect(body.orgs[0].permissions).toEqual(expect.arrayContaining(['issues:write', 'members:write', 'keys:write']))
  })

  it("narrows a token to its scopes, and a project-restricted token to no organization permission", async () => {
    const { token } = await createApiToken(h.platform.accounts.tokens, { kind: 'org', orgId: org._id, name: 't', scopes: ['issues:read'], projectIds: [projectId] })
    const { body } = await h.bearer(token, 'GET', '/me/permissions')
    expect(body.orgs).toEqual([{ orgId: org._id, role: null, permissions: [] }])
    expect(body.projects).toEqual([{ projectId, orgId: org._id, role: null, permissions: ['issues:read'] }])
  })

  it('lists the organizations offering single sign-on to anyone, and only those', async () => {
    expect((await h.request('GET', '/auth/sso-providers')).body).toEqual({ data: [] })
    await writeSsoSettings(h.platform, other._id, { issuer: 'https://id.example.com', clientId: 'faultline', roleMapping: {}, defaultRole: 'viewer', jitUsers: true })
    expect((await h.request('GET', '/auth/sso-providers')).body).toEqual({ data: [{ slug: other.slug, name: 'Other' }] })
  })

  it('answers 401 without credentials', async () => {
    expect((await h.request('GET', '/me/permissions')).status).toBe(401)
  })
})
