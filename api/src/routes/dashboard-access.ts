/**
 * What the caller may do, per organization and per visible project, so the dashboard shows only
 * the actions the API would allow (the API still checks every call; this only hides buttons);
 * and, before sign-in, which organizations offer single sign-on (the sign-in page's buttons).
 */
import { Hono } from 'hono'
import { getMembership, type OrgRole } from '@faultline/core/accounts'
import type { Platform } from '@faultline/core/platform'
import { decideForProject, levelOf, permissions, requires, roleHolds, type ApiEnv, type Permission, type Principal } from '../permissions'
import { principalOrganizations, principalProjects } from '../services/directory'
import { readSsoSettings } from '../services/sso'

const tenantPermissions = permissions.filter((p) => levelOf(p) === 'tenant')

/** Tenant permissions held with `role` (a user) or granted by scopes (a token), or both. */
function held(principal: Principal, role: OrgRole | undefined): Permission[] {
  return tenantPermissions.filter((p) => (!principal.user || (role !== undefined && roleHolds(role, p))) && (principal.kind !== 'token' || principal.token.scopes.includes(p)))
}

export function dashboardAccessRoutes(platform: Platform): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()

  app.get('/me/permissions', requires('account:read'), async (c) => {
    const principal = c.get('access').principal!
    const authorizer = c.get('authorizer')
    const orgs = await principalOrganizations(platform, principal)
    const restricted = principal.kind === 'token' && principal.token.projectIds !== undefined
    const orgGrants = await Promise.all(
      orgs.map(async (org) => {
        const role = principal.user ? (await getMembership(platform.accounts, org._id, principal.user._id))?.role : undefined
        // A token restricted to projects cannot act on the organization itself.
        return { orgId: org._id, role: role ?? null, permissions: restricted ? [] : held(principal, role) }
      }),
    )
    const projects = await principalProjects(platform, authorizer, principal)
    const projectGrants = await Promise.all(
      projects.map(async (project) => {
        // Every role holds projects:read, so a user's decision carries the effective role (elevation
        // and teams included); a token (no role) may lack that scope and still hold others.
        const decision = await decideForProject(authorizer, principal, project, 'projects:read')
        const role = decision.outcome === 'allow' ? decision.role : undefined
        return { projectId: project._id, orgId: project.orgId, role: role ?? null, permissions: held(principal, role) }
      }),
    )
    return c.json({ orgs: orgGrants, projects: projectGrants })
  })

  app.get('/auth/sso-providers', requires('public'), async (c) => {
    const orgs = await platform.accounts.organizations.find({}, { sort: { field: 'name', direction: 'asc' }, limit: 100 })
    const configured = await Promise.all(orgs.map(async (org) => ((await readSsoSettings(platform, org._id)) ? org : null)))
    return c.json({ data: configured.filter((org) => org !== null).map((org) => ({ slug: org.slug, name: org.name })) })
  })

  return app
}
