/**
 * What a principal may do in an organization or project: its role there (membership, raised by
 * an approved elevation on the project), narrowed by a token's scopes and project restriction.
 * A project or organization the principal cannot see at all is reported as absent, so callers
 * answer 404 and nothing leaks about other tenants.
 */
import { getMembership, roleRank, type AccountStores, type OrgRole } from '@faultline/core/accounts'
import type { ProjectDoc } from '@faultline/core/projects'
import { levelOf, roleHolds, type Permission } from './matrix'
import type { Principal } from './principal'

export type Decision = { outcome: 'allow'; role?: OrgRole } | { outcome: 'invisible' } | { outcome: 'deny'; reason: string }

/** Elevated roles in force for a user on a project; supplied by the elevation service. */
export type ElevationLookup = (userId: string, projectId: string, now: number) => Promise<OrgRole | undefined>

export interface AccessDeps {
  accounts: AccountStores
  elevatedRole?: ElevationLookup
}

/** The principal's role in the organization, or undefined when it has none (org tokens have none). */
async function roleIn(deps: AccessDeps, principal: Principal, orgId: string): Promise<OrgRole | undefined> {
  if (!principal.user) return undefined
  return (await getMembership(deps.accounts, orgId, principal.user._id))?.role
}

function tokenReaches(principal: Principal, orgId: string): boolean {
  if (principal.kind !== 'token') return true
  const { token } = principal
  if (token.orgId !== undefined && token.orgId !== orgId) return false
  return true
}

function grant(principal: Principal, role: OrgRole | undefined, permission: Permission): Decision {
  if (principal.user && (!role || !roleHolds(role, permission))) {
    return { outcome: 'deny', reason: `The ${role ?? 'current'} role does not include ${permission}` }
  }
  if (principal.kind === 'token' && !principal.token.scopes.includes(permission)) {
    return { outcome: 'deny', reason: `This token's scopes do not include ${permission}` }
  }
  return { outcome: 'allow', role }
}

export async function decideForOrg(deps: AccessDeps, principal: Principal, orgId: string, permission: Permission): Promise<Decision> {
  if (levelOf(permission) !== 'tenant') throw new TypeError(`${permission} is not checked per tenant`)
  if (!tokenReaches(principal, orgId)) return { outcome: 'invisible' }
  const role = await roleIn(deps, principal, orgId)
  if (principal.user && !role) return { outcome: 'invisible' }
  if (principal.kind === 'token' && principal.token.projectIds !== undefined) {
    return { outcome: 'deny', reason: 'This token is restricted to projects and cannot act on the organization' }
  }
  return grant(principal, role, permission)
}

export async function decideForProject(deps: AccessDeps, principal: Principal, project: ProjectDoc, permission: Permission, now = Date.now()): Promise<Decision> {
  if (levelOf(permission) !== 'tenant') throw new TypeError(`${permission} is not checked per tenant`)
  if (!tokenReaches(principal, project.orgId)) return { outcome: 'invisible' }
  if (principal.kind === 'token' && principal.token.projectIds !== undefined && !principal.token.projectIds.includes(project._id)) {
    return { outcome: 'invisible' }
  }
  if (!principal.user) return grant(principal, undefined, permission)
  const membership = await getMembership(deps.accounts, project.orgId, principal.user._id)
  if (!membership) return { outcome: 'invisible' }
  const teamLimited = (project.teamIds?.length ?? 0) > 0 && roleRank(membership.role) < roleRank('admin')
  const inTeam = !teamLimited || membership.teamIds.some((team) => project.teamIds!.includes(team))
  const decision: Decision = inTeam ? grant(principal, membership.role, permission) : { outcome: 'invisible' }
  if (decision.outcome === 'allow') return decision
  // Only when the membership falls short: an approved, unexpired elevation on this project may lift it.
  const elevated = await deps.elevatedRole?.(principal.user._id, project._id, now)
  if (!elevated || (inTeam && roleRank(elevated) <= roleRank(membership.role))) return decision
  return grant(principal, roleRank(elevated) > roleRank(membership.role) ? elevated : membership.role, permission)
}

/** Projects the principal can see at all (for listings), out of the given candidates. */
export async function visibleProjects(deps: AccessDeps, principal: Principal, candidates: ProjectDoc[], now = Date.now()): Promise<ProjectDoc[]> {
  const visible: ProjectDoc[] = []
  for (const project of candidates) {
    const decision = await decideForProject(deps, principal, project, 'projects:read', now)
    if (decision.outcome !== 'invisible') visible.push(project)
  }
  return visible
}
