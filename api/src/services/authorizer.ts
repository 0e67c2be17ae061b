/** The per-request lookups the permission middleware needs, with a short cache of project documents. */
import type { Context } from 'hono'
import { activeElevation } from '@faultline/core/accounts'
import type { Platform } from '@faultline/core/platform'
import type { ProjectDoc } from '@faultline/core/projects'
import type { Authorizer, Permission, Principal } from '../permissions'
import { describePrincipal } from '../permissions'

export interface AuthorizerOptions {
  /** How long a project's organization and teams are remembered; a team change applies within it. */
  projectTtlMs?: number
  refused?: (c: Context, principal: Principal | undefined, permission: Permission, reason: string) => Promise<void>
}

export function createAuthorizer(platform: Pick<Platform, 'projects' | 'accounts' | 'logger'>, options: AuthorizerOptions = {}): Authorizer {
  const ttlMs = options.projectTtlMs ?? 5_000
  const projects = new Map<string, { doc: ProjectDoc | null; expiresAt: number }>()
  return {
    accounts: platform.accounts,
    elevatedRole: (userId, projectId, now) => activeElevation(platform.accounts.elevations, userId, projectId, now),
    async project(projectId) {
      const now = Date.now()
      let entry = projects.get(projectId)
      if (!entry || entry.expiresAt <= now) {
        if (projects.size > 10_000) projects.clear()
        entry = { doc: await platform.projects.projects.get(projectId), expiresAt: now + ttlMs }
        projects.set(projectId, entry)
      }
      return entry.doc
    },
    async organizationExists(orgId) {
      return (await platform.accounts.organizations.get(orgId)) !== null
    },
    async mfaShortfall(principal, orgId) {
      if (principal.kind !== 'session' || principal.session.mfaVerified) return null
      const org = await platform.accounts.organizations.get(orgId)
      return org?.mfaRequired ? `Organization ${org.name} requires two-factor authentication: enrol or verify a second factor first` : null
    },
    refused:
      options.refused ??
      (async (c, principal, permission, reason) => {
        platform.logger.warn('access refused', { method: c.req.method, path: c.req.path, permission, reason, principal: describePrincipal(principal) })
      }),
  }
}
