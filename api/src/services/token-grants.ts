/** Creating and revoking API tokens: a creator never grants more than it holds itself. */
import { createApiToken, getMembership, type ApiTokenDoc, type NewApiToken } from '@faultline/core/accounts'
import { AuditActions } from '@faultline/core/audit'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { levelOf, permissionsOf, type Permission, type Principal } from '../permissions'

type Deps = Pick<Platform, 'accounts' | 'projects'>

/** Scopes the principal may hand on in the organization (or instance-wide for an instance admin). */
async function grantable(deps: Deps, principal: Principal, orgId: string | undefined): Promise<Set<string>> {
  const held = new Set<string>()
  if (principal.user) {
    const memberships =
      orgId !== undefined
        ? [await getMembership(deps.accounts, orgId, principal.user._id)]
        : await deps.accounts.memberships.find({ userId: principal.user._id }, { limit: 1000 })
    for (const membership of memberships) if (membership) for (const p of permissionsOf(membership.role)) held.add(p)
    if (principal.user.instanceAdmin) for (const p of ['instance:read', 'instance:write']) held.add(p)
  } else if (principal.kind === 'token' && principal.token.orgId === orgId) {
    for (const p of principal.token.scopes) held.add(p)
  }
  if (principal.kind === 'token') for (const p of [...held]) if (!principal.token.scopes.includes(p)) held.delete(p)
  return held
}

export interface TokenRequest {
  name: string
  scopes: Permission[]
  projectIds?: string[]
  expiresInDays?: number
}

export async function issueToken(deps: Deps, principal: Principal, spec: Omit<NewApiToken, 'scopes' | 'expiresAt'> & TokenRequest): Promise<{ token: string; doc: ApiTokenDoc }> {
  const held = await grantable(deps, principal, spec.orgId)
  const beyond = spec.scopes.filter((s) => !held.has(s) || (spec.kind === 'org' && levelOf(s) === 'instance'))
  if (beyond.length > 0) throw httpError(403, `You cannot grant scopes you do not hold: ${beyond.join(', ')}`)
  if (spec.projectIds?.length) {
    if (spec.orgId === undefined) throw httpError(400, 'A project restriction needs the organization (orgId)')
    const projects = await deps.projects.projects.getMany(spec.projectIds)
    const foreign = spec.projectIds.filter((id) => !projects.some((p) => p._id === id && p.orgId === spec.orgId))
    if (foreign.length > 0) throw httpError(400, `No project ${foreign.join(', ')} in organization ${spec.orgId}`)
  }
  const { expiresInDays, ...rest } = spec
  return createApiToken(deps.accounts.tokens, {
    ...rest,
    ...(expiresInDays !== undefined && { expiresAt: Date.now() + expiresInDays * 86_400_000 }),
  })
}

export const tokenAudit = { created: AuditActions.tokenCreated, revoked: AuditActions.tokenRevoked } as const

export function tokenView(doc: ApiTokenDoc) {
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString())
  return {
    id: doc._id,
    kind: doc.kind,
    name: doc.name,
    prefix: doc.prefix,
    orgId: doc.orgId ?? null,
    userId: doc.userId ?? null,
    scopes: doc.scopes,
    projectIds: doc.projectIds ?? null,
    createdAt: iso(doc.createdAt),
    expiresAt: iso(doc.expiresAt),
    lastUsedAt: iso(doc.lastUsedAt),
    revokedAt: iso(doc.revokedAt),
  }
}
