/**
 * Credentials checked on every request (API tokens in the API, DSN keys in ingest) are cached per
 * process for a short while so a request costs no metadata read. A change that takes one away or
 * alters it (revoke, disable, rotate) is announced on the cache port's pub/sub — Redis across
 * replicas, in process on the embedded profile — and every process drops that entry when it hears
 * it, so the change holds everywhere at once, not after the TTL. The TTL stays as the bound for an
 * announcement a process missed: pub/sub delivers at most once (a replica whose Redis connection
 * was down meanwhile hears nothing).
 */
import type { Logger } from '../log'
import type { Cache } from '../ports/cache'

export const CredentialKinds = { apiToken: 'api-token', projectKey: 'project-key' } as const
export type CredentialKind = (typeof CredentialKinds)[keyof typeof CredentialKinds]

const channel = 'credential-changes'

interface Announcement {
  kind: CredentialKind
  id: string
}

/**
 * Tells every process's `CredentialCache` of this kind to drop `id`; call after the change is
 * stored. Never throws: the change stands either way, and a failed announcement (logged) leaves
 * the other processes on their TTL.
 */
export async function announceCredentialChange(cache: Cache, logger: Logger, kind: CredentialKind, id: string): Promise<void> {
  try {
    await cache.publish(channel, JSON.stringify({ kind, id } satisfies Announcement))
  } catch (error) {
    logger.error('announcing a credential change failed; other processes drop their cached copy only when its TTL ends', { kind, error })
  }
}

export interface CredentialCacheOptions<T> {
  kind: CredentialKind
  /** Reads the credential from the store; null when there is none with this id. */
  load: (id: string) => Promise<T | null>
  ttlMs: number
  maxEntries?: number
}

export class CredentialCache<T> {
  readonly kind: CredentialKind
  readonly #load: (id: string) => Promise<T | null>
  readonly #ttlMs: number
  readonly #maxEntries: number
  readonly #entries = new Map<string, { value: T | null; expiresAt: number }>()
  /** Grows with every drop: a lookup that began before one does not cache what it read. */
  #generation = 0
  #unsubscribe: (() => Promise<void>) | undefined

  constructor(options: CredentialCacheOptions<T>) {
    this.kind = options.kind
    this.#load = options.load
    this.#ttlMs = options.ttlMs
    this.#maxEntries = options.maxEntries ?? 50_000
  }

  /** Starts dropping the entries any process announces as changed. */
  async listen(cache: Cache, logger: Logger): Promise<void> {
    if (this.#unsubscribe) return
    this.#unsubscribe = await cache.subscribe(channel, (message) => {
      let announced: Partial<Announcement>
      try {
        announced = JSON.parse(message) as Partial<Announcement>
      } catch (error) {
        logger.warn('ignoring a malformed credential change announcement', { error })
        return
      }
      // An unreadable announcement of this kind drops everything: safer than keeping a revoked entry.
      if (announced.kind === this.kind) {
        if (typeof announced.id === 'string') this.forget(announced.id)
        else this.clear()
      }
    })
  }

  async get(id: string, now = Date.now()): Promise<T | null> {
    const cached = this.#entries.get(id)
    if (cached && cached.expiresAt > now) return cached.value
    const generation = this.#generation
    const value = await this.#load(id)
    if (generation === this.#generation) {
      if (this.#entries.size >= this.#maxEntries && !this.#entries.has(id)) {
        // Oldest inserted first: Map iteration order is insertion order.
        const oldest = this.#entries.keys().next().value
        if (oldest !== undefined) this.#entries.delete(oldest)
      }
      this.#entries.set(id, { value, expiresAt: now + this.#ttlMs })
    }
    return value
  }

  forget(id: string): void {
    this.#generation++
    this.#entries.delete(id)
  }

  clear(): void {
    this.#generation++
    this.#entries.clear()
  }

  async close(): Promise<void> {
    const unsubscribe = this.#unsubscribe
    this.#unsubscribe = undefined
    await unsubscribe?.()
  }
}
