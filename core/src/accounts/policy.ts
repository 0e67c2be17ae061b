/**
 * The instance's security policy, set by `faultline setup` and by owners: session lifetimes and
 * password rules. (Whether an organization demands MFA is on the organization.) One document in
 * `instance_settings`; defaults apply until setup writes it.
 */
import type { Collection, MetadataStore } from '../ports/metadata'

export interface SecurityPolicy {
  /** A session unused this long ends. */
  sessionIdleMinutes: number
  /** A session ends this long after sign-in, used or not. */
  sessionAbsoluteHours: number
  passwordMinLength: number
}

export const defaultSecurityPolicy: SecurityPolicy = { sessionIdleMinutes: 30, sessionAbsoluteHours: 12, passwordMinLength: 12 }

export interface InstanceSettingDoc {
  _id: string
  value: unknown
  updatedAt: number
}

export type InstanceSettings = Collection<InstanceSettingDoc>

export function openInstanceSettings(metadata: MetadataStore): Promise<InstanceSettings> {
  return metadata.collection<InstanceSettingDoc>({ name: 'instance_settings', indexes: [] })
}

export async function readSecurityPolicy(settings: InstanceSettings): Promise<SecurityPolicy> {
  const doc = await settings.get('security-policy')
  return { ...defaultSecurityPolicy, ...(doc?.value as Partial<SecurityPolicy> | undefined) }
}

export async function writeSecurityPolicy(settings: InstanceSettings, policy: SecurityPolicy): Promise<void> {
  await settings.put({ _id: 'security-policy', value: policy, updatedAt: Date.now() })
}
