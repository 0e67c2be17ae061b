/**
 * THE permission matrix: every permission a route may declare, who holds it, and at which level
 * it is checked. Routes declare one permission each where they are defined (`requires(...)`, see
 * `requires.ts`); the matrix test calls every route of the router as every role and compares.
 *
 * Levels:
 * - `public`: no credentials (sign-in, setup, the OpenAPI document).
 * - `principal`: any signed-in caller; the handler shows only what `visibleProjects` returns.
 * - `user`: a signed-in user through a browser session (own password, MFA, sessions, personal tokens).
 * - `tenant`: checked against the role in the organization of the route's `:projectId` or
 *   `:orgId`, and against a token's scopes and project restriction.
 * - `instance`: instance administrators only (operators of the installation, not of a tenant).
 */
import type { OrgRole } from '@faultline/core/accounts'

export const PermissionLevels = { public: 'public', principal: 'principal', user: 'user', tenant: 'tenant', instance: 'instance' } as const
export type PermissionLevel = (typeof PermissionLevels)[keyof typeof PermissionLevels]

const everyone: OrgRole[] = ['owner', 'admin', 'member', 'viewer', 'security-analyst']
const writers: OrgRole[] = ['owner', 'admin', 'member']
const admins: OrgRole[] = ['owner', 'admin']
const security: OrgRole[] = ['owner', 'admin', 'security-analyst']

interface Grant {
  level: PermissionLevel
  /** Roles holding it (tenant level only). */
  roles: readonly OrgRole[]
  /** What it covers, for the README and the OpenAPI document. */
  covers: string
  /** Only people act with it: no token may carry it as a scope. */
  peopleOnly?: boolean
}

const tenant = (roles: OrgRole[], covers: string): Grant => ({ level: 'tenant', roles, covers })

export const permissionMatrix = {
  public: { level: 'public', roles: [], covers: 'sign-in, first-run setup, invitations, the OpenAPI document' },
  'account:read': { level: 'principal', roles: [], covers: 'who am I, my organizations and the projects I can see' },
  'account:write': { level: 'user', roles: [], covers: 'my password, MFA, sessions and personal tokens' },

  'projects:read': tenant(everyone, 'project details and outcome statistics'),
  'projects:write': tenant(admins, 'create and change projects, their teams'),
  'issues:read': tenant(everyone, 'issues and their lists'),
  'issues:write': tenant(writers, 'resolve, ignore, assign, merge issues'),
  'events:read': tenant(everyone, 'events in full'),
  'events:write': tenant(admins, 'delete issues and events, erasure'),
  'intelligence:read': tenant(everyone, 'patterns, anomalies, similar issues, forecasts, backtests, root cause'),
  'intelligence:write': tenant(writers, 'change pattern and model settings'),
  'replays:read': tenant(['owner', 'admin', 'member', 'security-analyst'], 'session replays'),
  'replays:write': tenant(admins, 'delete replays'),
  'security:read': tenant(security, 'security events and the timeline'),
  'security:write': tenant(security, 'detection rules, investigations'),
  'alerts:read': tenant(everyone, 'alert rules, routes, receivers, incidents'),
  'alerts:write': tenant(writers, 'change alert configuration, acknowledge, silence'),
  'members:read': tenant(everyone, 'members, teams, invitations'),
  'members:write': tenant(admins, 'invite, remove, change roles and teams'),
  'keys:read': tenant(writers, 'DSN keys'),
  'keys:write': tenant(admins, 'create, rotate, revoke DSN keys'),
  'tokens:read': tenant(admins, 'organization API tokens'),
  'tokens:write': tenant(admins, 'create and revoke organization API tokens'),
  'audit:read': tenant(security, "the organization's audit log, its search and export"),
  'settings:read': tenant(everyone, 'project and organization settings'),
  'settings:write': tenant(admins, 'privacy, retention and project settings'),
  'organization:write': tenant(['owner'], 'security policy, MFA enforcement, single sign-on'),
  'elevation:request': { ...tenant(['member', 'viewer', 'security-analyst'], 'ask for a time-boxed higher role on a project'), peopleOnly: true },
  'elevation:approve': tenant(admins, 'approve or deny elevation requests'),

  'instance:read': { level: 'instance', roles: [], covers: 'dead letters, metrics, the whole audit chain' },
  'instance:write': { level: 'instance', roles: [], covers: 'replay and discard dead letters' },
} as const satisfies Record<string, Grant>

export type Permission = keyof typeof permissionMatrix

export const permissions = Object.keys(permissionMatrix) as Permission[]

export function levelOf(permission: Permission): PermissionLevel {
  return permissionMatrix[permission].level
}

export function roleHolds(role: OrgRole, permission: Permission): boolean {
  return (permissionMatrix[permission].roles as readonly OrgRole[]).includes(role)
}

/** Permissions a token may carry as scopes: everything checked per tenant or instance. */
export const scopablePermissions = permissions.filter((p) => (levelOf(p) === 'tenant' || levelOf(p) === 'instance') && !(permissionMatrix[p] as Grant).peopleOnly)

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(permissionMatrix, value)
}

/** Every tenant permission a role holds: the scopes a token acting with that role's reach may carry. */
export function permissionsOf(role: OrgRole): Permission[] {
  return scopablePermissions.filter((p) => levelOf(p) === 'tenant' && roleHolds(role, p))
}
