/**
 * The organization-level security event list: the same filters and cursor as a project's list,
 * over every project the caller holds `security:read` on (the `security-analyst` role's view
 * across the projects it is granted). A project the caller can see without that permission, or a
 * token restricted to other projects, contributes nothing.
 */
import type { Platform } from '@faultline/core/platform'
import type { ProjectDoc } from '@faultline/core/projects'
import { decideForProject, type AccessDeps, type Principal } from '../permissions'
import { principalProjects } from './directory'
import { searchSecurityEventsAcross, type SearchParams } from './security-timeline'

/** The projects, among those visible to the principal, where it holds `security:read`. */
export async function securityReadableProjects(platform: Platform, deps: AccessDeps, principal: Principal): Promise<ProjectDoc[]> {
  const granted: ProjectDoc[] = []
  for (const project of await principalProjects(platform, deps, principal)) {
    if ((await decideForProject(deps, principal, project, 'security:read')).outcome === 'allow') granted.push(project)
  }
  return granted
}

export async function organizationSecurityEvents(platform: Platform, projects: readonly ProjectDoc[], params: SearchParams) {
  const page = await searchSecurityEventsAcross(platform, projects.map((p) => p._id), params)
  return { ...page, projects: projects.map((p) => ({ id: p._id, orgId: p.orgId, name: p.name })) }
}
