/** What a principal can see across organizations: its organizations and the projects visible to it. */
import type { OrganizationDoc } from '@faultline/core/accounts'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import type { ProjectDoc } from '@faultline/core/projects'
import { visibleProjects, type AccessDeps, type Principal } from '../permissions'

type Stores = Pick<Platform, 'accounts' | 'projects'>

/** Organizations the principal acts in: a token's own, or a user's memberships. */
export async function principalOrganizations(stores: Stores, principal: Principal): Promise<OrganizationDoc[]> {
  let orgIds: string[]
  if (principal.kind === 'token' && principal.token.orgId !== undefined) orgIds = [principal.token.orgId]
  else if (principal.user) orgIds = (await stores.accounts.memberships.find({ userId: principal.user._id }, { limit: 1000 })).map((m) => m.orgId)
  else orgIds = []
  return stores.accounts.organizations.getMany(orgIds)
}

export async function principalProjects(stores: Stores, deps: AccessDeps, principal: Principal): Promise<ProjectDoc[]> {
  const orgs = await principalOrganizations(stores, principal)
  const candidates = await stores.projects.projects.find(
    { orgId: { $in: orgs.map((o) => o._id) } },
    { sort: { field: '_id', direction: 'asc' }, limit: 10_000 },
  )
  return visibleProjects(deps, principal, candidates)
}

/** Refuses (400) team ids that are not teams of the organization. */
export async function requireTeams(stores: Stores, orgId: string, teamIds: string[] | undefined): Promise<void> {
  if (!teamIds?.length) return
  const teams = await stores.accounts.teams.getMany(teamIds)
  const missing = teamIds.filter((id) => !teams.some((t) => t._id === id && t.orgId === orgId))
  if (missing.length > 0) throw httpError(400, `No team ${missing.join(', ')} in organization ${orgId}`)
}
