/**
 * Keyed hashes of identifiers: HMAC-SHA-256 under the project's hashing secret, so the same
 * email or IP address always gives the same value within a project (users are still counted and
 * an erasure request can find them) while a list of guessed addresses confirms nothing without
 * the secret. The secret lives sealed in the platform's secret store.
 */
import { createHmac, randomBytes } from 'node:crypto'
import type { SecretStore } from '../secrets'

/** `<kind>:<12 hex>`; the kind is part of the MAC input, so an email and an IP never collide. */
export function keyedHash(key: string, kind: string, value: string): string {
  return `${kind}:${createHmac('sha256', key).update(`${kind}\u0000${value}`).digest('hex').slice(0, 12)}`
}

export function isKeyedHash(kind: string, value: string): boolean {
  return value.length === kind.length + 13 && value.startsWith(`${kind}:`) && /^[0-9a-f]{12}$/.test(value.slice(kind.length + 1))
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase()

export const emailHash = (key: string, email: string): string => keyedHash(key, 'email', normalizeEmail(email))
export const ipHash = (key: string, ip: string): string => keyedHash(key, 'ip', ip.trim().toLowerCase())

export function hashKeySecretName(projectId: string): string {
  return `project:${projectId}:scrub-hash-key`
}

/**
 * The project's hashing secret, created on first use. Replicas racing to create it agree on the
 * stored one: only the first `create` lands, and everyone reads back what was stored.
 */
export async function projectHashKey(secrets: SecretStore, projectId: string): Promise<string> {
  const name = hashKeySecretName(projectId)
  const existing = await secrets.get(name)
  if (existing !== null) return existing
  await secrets.create(name, randomBytes(32).toString('base64'))
  const stored = await secrets.get(name)
  if (stored === null) throw new Error(`the hashing secret of project ${projectId} vanished right after it was created`)
  return stored
}
