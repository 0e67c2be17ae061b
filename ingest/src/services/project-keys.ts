/**
 * DSN key lookups on the hot path, cached briefly so a request costs no metadata read. A disabled
 * or deleted key stops working within the TTL.
 */
import type { ProjectKeyDoc, ProjectStores } from '@faultline/core/projects'

export class ProjectKeyCache {
  readonly #stores: ProjectStores
  readonly #ttlMs: number
  readonly #maxEntries: number
  readonly #entries = new Map<string, { key: ProjectKeyDoc | null; expiresAt: number }>()

  constructor(stores: ProjectStores, ttlMs = 30_000, maxEntries = 50_000) {
    this.#stores = stores
    this.#ttlMs = ttlMs
    this.#maxEntries = maxEntries
  }

  async get(publicKey: string, now = Date.now()): Promise<ProjectKeyDoc | null> {
    const cached = this.#entries.get(publicKey)
    if (cached && cached.expiresAt > now) return cached.key
    const key = await this.#stores.keys.get(publicKey)
    if (this.#entries.size >= this.#maxEntries) {
      // Oldest inserted first: Map iteration order is insertion order.
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
    this.#entries.set(publicKey, { key, expiresAt: now + this.#ttlMs })
    return key
  }
}
