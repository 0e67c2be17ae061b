/** How receivers read the secrets their configuration names, and small helpers they share. */
import type { SecretStore } from '@faultline/core/secrets'

export type SecretLookup = (name: string) => Promise<string | null>

/** The sealed-store name of an organization's alerting secret. */
export const alertingSecretName = (orgId: string, name: string): string => `org:${orgId}:alerting.${name}`

export const secretLookup = (store: SecretStore, orgId: string): SecretLookup => (name) => store.get(alertingSecretName(orgId, name))

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1_000
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}
