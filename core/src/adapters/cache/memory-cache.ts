/**
 * The single-node cache: one Map in this process.
 *
 * Expired keys are dropped when read and by a periodic sweep (an unref()ed timer). The map is
 * bounded by `maxKeys` (default 1,000,000): past it, the keys closest to expiry are evicted
 * first, then the oldest keys without a TTL. Rate-limit windows and leases live in the same map
 * under `rl:` and `lease:` prefixes, as they do in Redis, so the bound covers them too.
 */
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { CacheError } from '../../errors'
import type { Logger } from '../../log'
import type { Cache, Lease, RateLimitResult } from '../../ports/cache'

export interface MemoryCacheOptions {
  maxKeys?: number
  sweepIntervalMs?: number
  logger?: Logger
}

interface Entry {
  value: string
  /** Infinity when the key has no TTL. */
  expiresAt: number
}

/** A min-heap of expiry times; stale items (key rewritten or deleted) are skipped when popped. */
class ExpiryHeap {
  items: Array<{ key: string; expiresAt: number }> = []

  push(key: string, expiresAt: number): void {
    const items = this.items
    items.push({ key, expiresAt })
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (items[parent]!.expiresAt <= items[i]!.expiresAt) break
      ;[items[parent], items[i]] = [items[i]!, items[parent]!]
      i = parent
    }
  }

  peek(): { key: string; expiresAt: number } | undefined {
    return this.items[0]
  }

  pop(): { key: string; expiresAt: number } | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (items.length > 0 && last) {
      items[0] = last
      let i = 0
      for (;;) {
        const left = 2 * i + 1
        const right = left + 1
        let smallest = i
        if (left < items.length && items[left]!.expiresAt < items[smallest]!.expiresAt) smallest = left
        if (right < items.length && items[right]!.expiresAt < items[smallest]!.expiresAt) smallest = right
        if (smallest === i) break
        ;[items[smallest], items[i]] = [items[i]!, items[smallest]!]
        i = smallest
      }
    }
    return top
  }

  rebuild(isLive: (key: string, expiresAt: number) => boolean): void {
    const live = this.items.filter((item) => isLive(item.key, item.expiresAt))
    this.items = []
    for (const item of live) this.push(item.key, item.expiresAt)
  }
}

export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  return new MemoryCache(options)
}

class MemoryCache implements Cache {
  readonly kind = 'memory' as const
  readonly #entries = new Map<string, Entry>()
  readonly #expiries = new ExpiryHeap()
  readonly #channels = new EventEmitter()
  readonly #maxKeys: number
  readonly #logger: Logger | undefined
  readonly #sweeper: NodeJS.Timeout
  #closed = false

  constructor(options: MemoryCacheOptions) {
    this.#maxKeys = options.maxKeys ?? 1_000_000
    this.#logger = options.logger
    this.#channels.setMaxListeners(0)
    this.#sweeper = setInterval(() => this.#sweep(), options.sweepIntervalMs ?? 1_000)
    this.#sweeper.unref()
  }

  async get(key: string): Promise<string | null> {
    return this.#live(key)?.value ?? null
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.#write(key, value, ttlMs === undefined ? Infinity : Date.now() + ttlMs)
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.#live(key)) return false
    this.#write(key, value, Date.now() + ttlMs)
    return true
  }

  async delete(key: string): Promise<void> {
    this.#assertOpen()
    this.#entries.delete(key)
  }

  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    const entry = this.#live(key)
    if (!entry) {
      this.#write(key, String(by), Date.now() + ttlMs)
      return by
    }
    const next = Number(entry.value) + by
    if (!Number.isSafeInteger(next)) throw new CacheError('unavailable', `cache key "${key}" does not hold an integer`)
    entry.value = String(next)
    return next
  }

  async consume(key: string, cost: number, limit: number, windowMs: number): Promise<RateLimitResult> {
    const windowKey = `rl:${key}`
    const entry = this.#live(windowKey)
    const used = entry ? Number(entry.value) : 0
    const now = Date.now()
    if (used + cost <= limit) {
      if (entry) entry.value = String(used + cost)
      else this.#write(windowKey, String(cost), now + windowMs)
      return { allowed: true, remaining: limit - used - cost, retryAfterMs: 0 }
    }
    const retryAfterMs = entry ? Math.max(1, entry.expiresAt - now) : windowMs
    return { allowed: false, remaining: Math.max(0, limit - used), retryAfterMs }
  }

  async refund(key: string, cost: number): Promise<void> {
    const entry = this.#live(`rl:${key}`)
    if (entry) entry.value = String(Math.max(0, Number(entry.value) - cost))
  }

  async acquireLease(key: string, ttlMs: number): Promise<Lease | null> {
    const leaseKey = `lease:${key}`
    const token = randomUUID()
    if (!(await this.setIfAbsent(leaseKey, token, ttlMs))) return null
    return {
      key,
      extend: async (extendMs) => {
        const entry = this.#live(leaseKey)
        if (entry?.value !== token) return false
        this.#write(leaseKey, token, Date.now() + extendMs)
        return true
      },
      release: async () => {
        if (this.#live(leaseKey)?.value === token) this.#entries.delete(leaseKey)
      },
    }
  }

  async publish(channel: string, message: string): Promise<void> {
    this.#assertOpen()
    // Delivered on a later turn, as from Redis: a subscriber never runs inside publish().
    setImmediate(() => {
      if (!this.#closed) this.#channels.emit(channel, message)
    })
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    this.#assertOpen()
    const listener = (message: string) => {
      try {
        onMessage(message)
      } catch (error) {
        this.#logger?.error('cache subscriber failed', { channel, error })
      }
    }
    this.#channels.on(channel, listener)
    return async () => {
      this.#channels.off(channel, listener)
    }
  }

  async ping(): Promise<void> {
    this.#assertOpen()
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#sweeper)
    this.#entries.clear()
    this.#expiries.items = []
    this.#channels.removeAllListeners()
  }

  #live(key: string): Entry | undefined {
    this.#assertOpen()
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= Date.now()) {
      this.#entries.delete(key)
      return undefined
    }
    return entry
  }

  #write(key: string, value: string, expiresAt: number): void {
    this.#assertOpen()
    // Re-inserting moves the key to the end of the Map, which orders the eviction of keys without a TTL.
    this.#entries.delete(key)
    this.#entries.set(key, { value, expiresAt })
    if (expiresAt !== Infinity) this.#expiries.push(key, expiresAt)
    if (this.#entries.size > this.#maxKeys) this.#evictOne()
    if (this.#expiries.items.length > 2 * this.#entries.size + 1_024) {
      this.#expiries.rebuild((k, at) => this.#entries.get(k)?.expiresAt === at)
    }
  }

  #evictOne(): void {
    for (let item = this.#expiries.pop(); item; item = this.#expiries.pop()) {
      if (this.#entries.get(item.key)?.expiresAt === item.expiresAt) {
        this.#entries.delete(item.key)
        return
      }
    }
    const oldest = this.#entries.keys().next()
    if (!oldest.done) this.#entries.delete(oldest.value)
  }

  #sweep(): void {
    const now = Date.now()
    for (let top = this.#expiries.peek(); top && top.expiresAt <= now; top = this.#expiries.peek()) {
      this.#expiries.pop()
      if (this.#entries.get(top.key)?.expiresAt === top.expiresAt) this.#entries.delete(top.key)
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new CacheError('unavailable', 'the cache is closed')
  }
}
