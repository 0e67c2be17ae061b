/**
 * Organization roles. What each may do is the API's permission matrix (`api/src/permissions/`);
 * here only the names and their order, which decides who may grant what (nobody grants a role
 * above their own) and which role wins when a membership and an elevation both apply.
 */
export const OrgRoles = {
  owner: 'owner',
  admin: 'admin',
  member: 'member',
  viewer: 'viewer',
  securityAnalyst: 'security-analyst',
} as const
export type OrgRole = (typeof OrgRoles)[keyof typeof OrgRoles]

export const orgRoleNames = Object.values(OrgRoles) as [OrgRole, ...OrgRole[]]

/** Higher grants more; the security analyst reads more than a viewer but changes less than a member. */
const rank: Record<OrgRole, number> = { viewer: 0, 'security-analyst': 1, member: 2, admin: 3, owner: 4 }

export function roleRank(role: OrgRole): number {
  return rank[role]
}

export function isOrgRole(value: unknown): value is OrgRole {
  return typeof value === 'string' && value in rank
}
