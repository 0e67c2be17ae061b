/**
 * Alerting configuration, alerts, silences and groups belong to an organization. Faultline has
 * one organization today, so every project belongs to it; store functions already take the
 * organization first, so more organizations need only a real mapping here.
 */
export const defaultOrgId = 'default'

export function organizationOf(projectId: string): string {
  void projectId
  return defaultOrgId
}
