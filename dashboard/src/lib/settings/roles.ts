/** Roles as the settings pages offer them, highest first. */
import type { OrgRole } from '$lib/api'

export const roles: { value: OrgRole; label: string }[] = [
  { value: 'owner', label: 'Owner' },
  { value: 'admin', label: 'Admin' },
  { value: 'member', label: 'Member' },
  { value: 'security-analyst', label: 'Security analyst' },
  { value: 'viewer', label: 'Viewer' },
]
