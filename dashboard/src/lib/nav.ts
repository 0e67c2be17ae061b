/**
 * The navigation: one list of sections per level. A new area (alerts, the security timeline, ...)
 * adds one entry here and a route folder under `src/routes/(app)/`; the side bar, the keyboard
 * help and the permission check pick it up. An entry is shown only to those holding `permission`
 * in the project (project entries) or the organization (organization entries).
 */
export interface NavContext {
  projectId: string
  orgId: string
}

export interface NavEntry {
  id: string
  label: string
  href: (context: NavContext) => string
  /** The API permission the page needs; the entry is hidden without it. */
  permission: string
  /** Marks the entry current when the URL path starts with one of these (after the href is built). */
  matches?: (context: NavContext) => string[]
}

export const projectNav: NavEntry[] = [
  { id: 'issues', label: 'Issues', href: ({ projectId }) => `/projects/${projectId}/issues`, permission: 'issues:read' },
  { id: 'patterns', label: 'Patterns', href: ({ projectId }) => `/projects/${projectId}/patterns`, permission: 'intelligence:read' },
  { id: 'clusters', label: 'Clusters', href: ({ projectId }) => `/projects/${projectId}/clusters`, permission: 'intelligence:read' },
  { id: 'security', label: 'Security', href: ({ projectId }) => `/projects/${projectId}/security`, permission: 'security:read' },
  { id: 'project-settings', label: 'Project settings', href: ({ projectId }) => `/projects/${projectId}/settings`, permission: 'projects:read' },
  { id: 'privacy', label: 'Privacy and retention', href: ({ projectId }) => `/projects/${projectId}/privacy`, permission: 'settings:read' },
]

export const orgNav: NavEntry[] = [
  { id: 'org-projects', label: 'Projects', href: ({ orgId }) => `/orgs/${orgId}/projects`, permission: 'projects:read' },
  { id: 'members', label: 'Members', href: ({ orgId }) => `/orgs/${orgId}/members`, permission: 'members:read' },
  { id: 'tokens', label: 'API tokens', href: ({ orgId }) => `/orgs/${orgId}/tokens`, permission: 'tokens:read' },
  { id: 'alerting', label: 'Alerting', href: ({ orgId }) => `/orgs/${orgId}/alerting`, permission: 'alerts:read' },
  { id: 'audit', label: 'Audit log', href: ({ orgId }) => `/orgs/${orgId}/audit`, permission: 'audit:read' },
]

export function isCurrent(entry: NavEntry, context: NavContext, pathname: string): boolean {
  const prefixes = entry.matches?.(context) ?? [entry.href(context)]
  return prefixes.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`))
}
