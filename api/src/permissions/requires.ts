/**
 * The route declaration and the one middleware that enforces it:
 *
 *   app.get('/projects/:projectId/issues', requires('issues:read'), handler)
 *
 * `requires` returns the middleware that checks the permission against the matrix for the
 * route's `:projectId` (else `:orgId`) and puts the decision in `c.get('access')`; it carries the
 * permission so the router can be enumerated (`declaredPermission`). A route without a
 * declaration is refused by `denyUndeclared`, so forgetting one closes the route, never opens it.
 * Answers: 401 without valid credentials, 404 when the project or organization is not visible to
 * the caller (another tenant, another team, a token restricted elsewhere), 403 when it is visible
 * but the role or token scope lacks the permission.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import { httpError } from '@faultline/core/http'
import type { OrgRole } from '@faultline/core/accounts'
import type { ProjectDoc } from '@faultline/core/projects'
import type { Logger } from '@faultline/core/log'
import { decideForOrg, decideForProject, type AccessDeps, type Decision } from './access'
import { levelOf, type Permission } from './matrix'
import type { Principal } from './principal'

export interface Access {
  permission: Permission
  principal?: Principal
  role?: OrgRole
  orgId?: string
  project?: ProjectDoc
}

export type ApiEnv = {
  Variables: {
    principal?: Principal
    access: Access
    authorizer: Authorizer
  }
}

/** What the middleware needs per request; set once by the API tier. */
export interface Authorizer extends AccessDeps {
  project(projectId: string): Promise<ProjectDoc | null>
  organizationExists(orgId: string): Promise<boolean>
  /** MFA the organization demands of this principal, or null when satisfied. */
  mfaShortfall(principal: Principal, orgId: string): Promise<string | null>
  /** Records a refusal (the audit log's `authz_fail`). */
  refused(c: Context, principal: Principal | undefined, permission: Permission, reason: string): Promise<void>
}

const declared = Symbol('faultline.permission')

type Declared = MiddlewareHandler<ApiEnv> & { [declared]: Permission }

const idPattern = /^[1-9][0-9]{0,17}$/

export function requires(permission: Permission): MiddlewareHandler<ApiEnv> {
  const middleware: MiddlewareHandler<ApiEnv> = async function requiresPermission(c, next) {
    c.set('access', await authorize(c, permission))
    await next()
  }
  return Object.assign(middleware, { [declared]: permission }) as Declared
}

/** The permission a handler declares, for the route enumeration. */
export function declaredPermission(handler: unknown): Permission | undefined {
  return typeof handler === 'function' ? (handler as Partial<Declared>)[declared] : undefined
}

async function authorize(c: Context<ApiEnv>, permission: Permission): Promise<Access> {
  const level = levelOf(permission)
  if (level === 'public') return { permission }
  const principal = c.get('principal')
  if (!principal) throw httpError(401, 'Sign in, or send an API token as "Authorization: Bearer <token>"', { 'www-authenticate': 'Bearer' })
  const authorizer = c.get('authorizer')
  const refuse = async (status: 403 | 404, reason: string, detail = reason) => {
    await authorizer.refused(c, principal, permission, reason)
    return httpError(status, detail)
  }
  if (level === 'principal') return { permission, principal }
  if (level === 'user') {
    if (principal.kind !== 'session') throw await refuse(403, 'Only a signed-in user (browser session) may do this, not an API token')
    return { permission, principal }
  }
  if (level === 'instance') {
    const user = principal.user
    if (!user?.instanceAdmin) throw await refuse(403, 'Only instance administrators may do this')
    if (principal.kind === 'token' && !principal.token.scopes.includes(permission)) throw await refuse(403, `This token's scopes do not include ${permission}`)
    return { permission, principal }
  }
  const projectId = c.req.param('projectId')
  const orgId = c.req.param('orgId')
  let decision: Decision
  let project: ProjectDoc | undefined
  let targetOrg: string
  if (projectId !== undefined) {
    if (!idPattern.test(projectId)) throw httpError(400, 'Invalid path parameter projectId: must be a project number')
    project = (await authorizer.project(projectId)) ?? undefined
    if (!project) throw httpError(404, `No project ${projectId}`)
    targetOrg = project.orgId
    decision = await decideForProject(authorizer, principal, project, permission)
    if (decision.outcome === 'invisible') throw await refuse(404, `project ${projectId} not visible`, `No project ${projectId}`)
  } else if (orgId !== undefined) {
    if (!idPattern.test(orgId) || !(await authorizer.organizationExists(orgId))) throw httpError(404, `No organization ${orgId}`)
    targetOrg = orgId
    decision = await decideForOrg(authorizer, principal, orgId, permission)
    if (decision.outcome === 'invisible') throw await refuse(404, `organization ${orgId} not visible`, `No organization ${orgId}`)
  } else {
    throw new Error(`route ${c.req.method} ${c.req.path} declares tenant permission ${permission} but has no :projectId or :orgId`)
  }
  if (decision.outcome === 'deny') throw await refuse(403, decision.reason)
  const shortfall = await authorizer.mfaShortfall(principal, targetOrg)
  if (shortfall) throw await refuse(403, shortfall)
  return { permission, principal, role: decision.role, orgId: targetOrg, project }
}

/** The organization and project a project route was authorized for: the scope of its store calls. */
export function projectScope(c: Context<ApiEnv>): { orgId: string; projectId: string } {
  const project = c.get('access')?.project
  if (!project) throw new Error(`route ${c.req.method} ${c.req.path} has no authorized project`)
  return { orgId: project.orgId, projectId: project._id }
}

/**
 * Mounted once before the routes: a request whose matched route declares no permission is
 * refused (and logged as a bug), so an undeclared route is closed rather than open.
 */
export function denyUndeclared(logger: Logger): MiddlewareHandler<ApiEnv> {
  return async function denyUndeclared(c, next) {
    const routes = matchedRoutes(c)
    const endpoint = routes.some((route) => route.method !== 'ALL')
    if (endpoint && !routes.some((route) => declaredPermission(route.handler) !== undefined)) {
      logger.error('route without a permission declaration refused', { method: c.req.method, path: routes.find((r) => r.method !== 'ALL')?.path })
      throw httpError(403, 'This route declares no permission, so it is closed')
    }
    await next()
  }
}

export interface DeclaredRoute {
  method: string
  path: string
  /** Undefined when the route forgot `requires(...)` (denyUndeclared then closes it). */
  permission: Permission | undefined
}

/** Every endpoint of a router with the permission it declares, enumerated from the router itself. */
export function declaredRoutes(router: { routes: { method: string; path: string; handler: unknown }[] }): DeclaredRoute[] {
  const byKey = new Map<string, DeclaredRoute>()
  for (const route of router.routes) {
    if (route.method === 'ALL') continue
    const key = `${route.method} ${route.path}`
    const entry = byKey.get(key) ?? { method: route.method, path: route.path, permission: undefined }
    entry.permission ??= declaredPermission(route.handler)
    byKey.set(key, entry)
  }
  return [...byKey.values()]
}
