/**
 * DSN key lookups on the hot path, cached so a request costs no metadata read. A disabled,
 * rotated or revoked key is announced by the API and dropped here at once, on every replica
 * (`@faultline/core/credentials`).
 */
import { CredentialCache, CredentialKinds } from '@faultline/core/credentials'
import type { Platform } from '@faultline/core/platform'
import type { ProjectKeyDoc } from '@faultline/core/projects'

/** Keys by public key (their `_id`). */
export type ProjectKeyCache = CredentialCache<ProjectKeyDoc>

/** A key cache that listens for key changes announced by any process. */
export async function openProjectKeyCache(platform: Pick<Platform, 'projects' | 'cache' | 'config' | 'logger'>): Promise<ProjectKeyCache> {
  const keys = new CredentialCache<ProjectKeyDoc>({ kind: CredentialKinds.projectKey, load: (id) => platform.projects.keys.get(id), ttlMs: platform.config.credentials.cacheTtlMs })
  await keys.listen(platform.cache, platform.logger)
  return keys
}
