/**
 * The permission matrix, enforced: every route of the API tier's router (enumerated from the
 * router itself, so a new route cannot be left out) is called as every role, as no one, with a
 * token of another organization, a token restricted to another project, an expired, a revoked
 * and a wrongly scoped token, and the answer is checked against `permissionMatrix`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createApiToken,
  createOrganization,
  createSession,
  createTeam,
  createUser,
  defaultSecurityPolicy,
  orgRoleNames,
  setMembership,
  type OrgRole,
} from '@faultline/core/accounts'
import { loadConfig } from '@faultline/core/config'
import { problemErrorHandler, problemNotFound } from '@faultline/core/http'
import { createLogger } from '@faultline/core/log'
import { openPlatform, type Platform } from '@faultline/core/platform'
import { createProject } from '@faultline/core/projects'
import { legacyTokenScopes } from '@faultline/core/metadata-migrations'
import { createApiTier } from '../app'
import { declaredRoutes, denyUndeclared, requires, type ApiEnv, type DeclaredRoute } from './requires'
import { isPermission, levelOf, permissionMatrix, permissions, roleHolds, scopablePermissions, type Permission } from './matrix'

const dataDir = mkdtempSync(join(tmpdir(), 'faultline-matrix-'))
let platform: Platform
let app: Hono
const ids = { orgA: '', orgB: '', projectA: '', projectTeam: '', projectB: '' }
/** Credentials by caller name: a bearer token, or a session cookie with its CSRF token. */
type Credentials = string | { cookie: string; csrf?: string } | undefined
/** Sessions are made afresh for each call: sign-out routes end the one they are called with. */
const callers = new Map<string, Credentials | (() => Promise<Credentials>)>()
const credentialsOf = async (caller: string): Promise<Credentials> => {
  const value = callers.get(caller)
  return typeof value === 'function' ? value() : value
}
/** For each permission, an org-A token holding every scope but that one. */
const lacking = new Map<Permission, string>()

type Route = DeclaredRoute
const routesOf = declaredRoutes

async function sessionOf(userId: string, state: 'active' | 'pending', withCsrf: boolean): Promise<Credentials> {
  const user = (await platform.accounts.users.get(userId))!
  const session = await createSession(platform.accounts.sessions, { user, policy: defaultSecurityPolicy, state, mfaVerified: false })
  return { cookie: session.cookie, ...(withCsrf && { csrf: session.csrfToken }) }
}

const sampleParams: Record<string, () => string> = {
  projectId: () => ids.projectA,
  orgId: () => ids.orgA,
  issueId: () => '424242',
  userId: () => '424242',
  eventId: () => 'a'.repeat(32),
  templateId: () => '0123456789abcdef',
  subject: () => 'errors',
  seq: () => '987654',
}

function concretePath(path: string, overrides: Record<string, string> = {}): string {
  return path.replace(/:(\w+)/g, (_, name: string) => overrides[name] ?? sampleParams[name]?.() ?? '1')
}

type Outcome = 'allowed' | 'unauthenticated' | 'denied' | 'invisible'

async function call(route: Route, credentials: Credentials, overrides: Record<string, string> = {}): Promise<{ outcome: Outcome; status: number; detail: string }> {
  const headers: Record<string, string> = {}
  if (typeof credentials === 'string') headers.authorization = `Bearer ${credentials}`
  else if (credentials) {
    headers.cookie = `fl_session=${credentials.cookie}`
    if (credentials.csrf) headers['x-csrf-token'] = credentials.csrf
  }
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method)
  if (hasBody) headers['content-type'] = 'application/json'
  const response = await app.request(concretePath(route.path, overrides), { method: route.method, headers, body: hasBody ? '{}' : undefined })
  const text = await response.text()
  let detail = ''
  try {
    detail = String((JSON.parse(text) as { detail?: unknown }).detail ?? '')
  } catch {
    // Not JSON (NDJSON exports, metrics): no detail.
  }
  const status = response.status
  expect(status, `${route.method} ${route.path} answered ${status}: ${detail}`).toBeLessThan(500)
  const outcome: Outcome =
    status === 401 ? 'unauthenticated' : status === 403 ? 'denied' : status === 404 && /^No (project|organization) \d+$/.test(detail) ? 'invisible' : 'allowed'
  return { outcome, status, detail }
}

beforeAll(async () => {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error' })
  platform = await openPlatform(config, { logger: createLogger('error') })
  const { accounts, projects } = platform
  const orgA = await createOrganization(accounts, 'Org A')
  const orgB = await createOrganization(accounts, 'Org B')
  ids.orgA = orgA._id
  ids.orgB = orgB._id
  ids.projectA = (await createProject(projects, orgA._id, 'A main')).project._id
  ids.projectB = (await createProject(projects, orgB._id, 'B main')).project._id
  const team = await createTeam(accounts, orgA._id, 'Payments')
  const teamProject = (await createProject(projects, orgA._id, 'A payments')).project
  await projects.projects.updateMany({ _id: teamProject._id }, { $set: { teamIds: [team._id] } })
  ids.projectTeam = teamProject._id

  for (const role of orgRoleNames) {
    const user = await createUser(accounts, { email: `${role}@a.test`, name: role })
    await setMembership(accounts, orgA._id, user._id, role)
    callers.set(role, (await createApiToken(accounts.tokens, { kind: 'personal', userId: user._id, name: role, scopes: scopablePermissions })).token)
    callers.set(`${role} session`, () => sessionOf(user._id, 'active', true))
  }
  const owner = (await accounts.users.findOne({ email: 'owner@a.test' }))!
  callers.set('owner session without CSRF token', () => sessionOf(owner._id, 'active', false))
  callers.set('owner session waiting for its second factor', () => sessionOf(owner._id, 'pending', true))
  const operator = await createUser(accounts, { email: 'operator@a.test', name: 'Operator', instanceAdmin: true })
  callers.set('instance admin', (await createApiToken(accounts.tokens, { kind: 'personal', userId: operator._id, name: 'op', scopes: scopablePermissions })).token)
  callers.set('no one', undefined)
  const orgToken = (orgId: string, extra: Partial<Parameters<typeof createApiToken>[1]> = {}) =>
    createApiToken(accounts.tokens, { kind: 'org', orgId, name: 'org', scopes: scopablePermissions, ...extra }).then((t) => t.token)
  callers.set('org token', await orgToken(orgA._id))
  callers.set('other organization', await orgToken(orgB._id))
  callers.set('restricted to another project', await orgToken(orgA._id, { projectIds: [ids.projectTeam] }))
  callers.set('expired', await orgToken(orgA._id, { expiresAt: Date.now() - 1000 }))
  const revoked = await createApiToken(accounts.tokens, { kind: 'org', orgId: orgA._id, name: 'revoked', scopes: scopablePermissions })
  await accounts.tokens.updateMany({ _id: revoked.doc._id }, { $set: { revokedAt: Date.now() } })
  callers.set('revoked', revoked.token)
  for (const permission of scopablePermissions) lacking.set(permission, await orgToken(orgA._id, { scopes: scopablePermissions.filter((p) => p !== permission) }))

  const tier = await createApiTier(platform, 'http://127.0.0.1:1')
  app = new Hono()
  app.onError(problemErrorHandler(platform.logger))
  app.notFound(problemNotFound)
  app.route('/', tier.app)
}, 120_000)

afterAll(async () => {
  await platform?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

/** What the matrix says a caller should get on a route. */
function expected(caller: string, route: Route): Outcome {
  const permission = route.permission!
  const level = levelOf(permission)
  const onProject = route.path.includes(':projectId')
  // Bad credentials are refused wherever they are presented, public routes included.
  if (caller === 'expired' || caller === 'revoked') return 'unauthenticated'
  // Cookies ride along on cross-site requests: a write without the session's CSRF token is refused first.
  if (caller === 'owner session without CSRF token' && route.method !== 'GET') return 'denied'
  if (level === 'public') return 'allowed'
  if (caller === 'no one' || caller === 'owner session waiting for its second factor') return 'unauthenticated'
  const session = caller.endsWith(' session') || caller === 'owner session without CSRF token'
  const role = (session ? caller.split(' ')[0] : caller) as OrgRole
  if (level === 'principal') return 'allowed'
  if (level === 'user') return session ? 'allowed' : 'denied' // tokens never act as a browser session
  if (level === 'instance') return caller === 'instance admin' ? 'allowed' : 'denied'
  if (caller === 'instance admin' || caller === 'other organization') return 'invisible'
  if (caller === 'restricted to another project') return onProject ? 'invisible' : 'denied'
  if (!session && !scopablePermissions.includes(permission)) return 'denied' // no token carries a people-only permission
  if (caller === 'org token') return 'allowed'
  return roleHolds(role, permission) ? 'allowed' : 'denied'
}

describe('permission matrix', () => {
  it('every route of the router declares a permission of the matrix, with a tenant in its path when it needs one', () => {
    const routes = routesOf(app)
    expect(routes.length).toBeGreaterThan(20)
    const undeclared = routes.filter((r) => r.permission === undefined).map((r) => `${r.method} ${r.path}`)
    expect(undeclared, 'routes without requires(...)').toEqual([])
    const tenantless = routes.filter((r) => levelOf(r.permission!) === 'tenant' && !/:projectId|:orgId/.test(r.path)).map((r) => `${r.method} ${r.path}`)
    expect(tenantless, 'tenant permissions need :projectId or :orgId').toEqual([])
    expect(legacyTokenScopes.filter((s) => !isPermission(s))).toEqual([])
  })

  it('answers every route as the matrix says for every role and kind of caller', async () => {
    const mismatches: string[] = []
    for (const route of routesOf(app)) {
      for (const caller of callers.keys()) {
        const want = expected(caller, route)
        const got = await call(route, await credentialsOf(caller))
        if (got.outcome !== want) mismatches.push(`${route.method} ${route.path} as ${caller}: want ${want}, got ${got.status} ${got.detail}`)
      }
    }
    expect(mismatches).toEqual([])
  }, 300_000)

  it('refuses a token lacking exactly the permission a route declares', async () => {
    const mismatches: string[] = []
    for (const route of routesOf(app).filter((r) => scopablePermissions.includes(r.permission!) && levelOf(r.permission!) === 'tenant')) {
      const got = await call(route, lacking.get(route.permission!))
      if (got.outcome !== 'denied') mismatches.push(`${route.method} ${route.path}: got ${got.status} ${got.detail}`)
    }
    expect(mismatches).toEqual([])
  }, 300_000)

  it('hides a team-limited project from members outside the team, but not from admins or the token restricted to it', async () => {
    const routes = routesOf(app).filter((r) => r.path.includes(':projectId') && r.permission === 'issues:read')
    for (const route of routes) {
      const onTeamProject = { projectId: ids.projectTeam }
      expect((await call(route, await credentialsOf('member'), onTeamProject)).outcome).toBe('invisible')
      expect((await call(route, await credentialsOf('viewer'), onTeamProject)).outcome).toBe('invisible')
      expect((await call(route, await credentialsOf('admin'), onTeamProject)).outcome).toBe('allowed')
      expect((await call(route, await credentialsOf('restricted to another project'), onTeamProject)).outcome).toBe('allowed')
      expect((await call(route, await credentialsOf('owner'), { projectId: ids.projectB })).outcome).toBe('invisible')
    }
  })

  it('lists only the projects a caller can see', async () => {
    const listed = async (caller: string) => {
      const response = await app.request('/api/v1/projects', { headers: { authorization: `Bearer ${await credentialsOf(caller)}` } })
      return ((await response.json()) as { data: { id: string }[] }).data.map((p) => p.id).sort()
    }
    expect(await listed('owner')).toEqual([ids.projectA, ids.projectTeam].sort())
    expect(await listed('member')).toEqual([ids.projectA])
    expect(await listed('restricted to another project')).toEqual([ids.projectTeam])
    expect(await listed('other organization')).toEqual([ids.projectB])
  })

  it('names every permission a role holds in the matrix, and no role holds a non-tenant permission', () => {
    for (const permission of permissions) {
      const { level, roles } = permissionMatrix[permission]
      if (level !== 'tenant') expect(roles, permission).toEqual([])
    }
  })
})

describe('denyUndeclared', () => {
  it('closes a route that declares no permission and leaves unknown paths to the 404 handler', async () => {
    const logger = createLogger('error')
    const router = new Hono<ApiEnv>()
    router.onError(problemErrorHandler(logger))
    router.notFound(problemNotFound)
    router.use('*', denyUndeclared(logger))
    router.get('/declared', requires('public'), (c) => c.text('ok'))
    router.get('/forgotten', (c) => c.text('open'))
    expect((await router.request('/declared')).status).toBe(200)
    expect((await router.request('/forgotten')).status).toBe(403)
    expect((await router.request('/nowhere')).status).toBe(404)
  })
})
