/**
 * The cache port: rate limits, dedupe keys, locks/leases and live fan-out. Adapters: in-process
 * memory (single node) and Redis.
 */

export interface RateLimitResult {
  allowed: boolean
  /** Units left in the current window after this call. */
  remaining: number
  /** When refused: milliseconds until the window admits `cost` units again. 0 when allowed. */
  retryAfterMs: number
}

export interface Lease {
  readonly key: string
  /** False when the lease was lost (expired and taken by someone else). */
  extend(ttlMs: number): Promise<boolean>
  release(): Promise<void>
}

export interface Cache {
  readonly kind: 'memory' | 'redis'
  get(key: string): Promise<string | null>
  set(key: string, value: string, ttlMs?: number): Promise<void>
  /** Sets only when absent; true when this call set it. The dedupe primitive. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>
  delete(key: string): Promise<void>
  /** Atomically add `by` to a counter that expires `ttlMs` after its creation; returns the new value. */
  increment(key: string, by: number, ttlMs: number): Promise<number>
  /**
   * Fixed-window limiter, atomic across replicas: consumes `cost` units of `limit` per
   * `windowMs` when they are available, and consumes nothing when refused.
   */
  consume(key: string, cost: number, limit: number, windowMs: number): Promise<RateLimitResult>
  /**
   * Gives back `cost` units that `consume` took from the current window of `key`, for work that was
   * charged and then refused. Nothing when that window has ended; never below zero.
   */
  refund(key: string, cost: number): Promise<void>
  /** Exclusive lease held for `ttlMs` unless extended; null when someone else holds it. */
  acquireLease(key: string, ttlMs: number): Promise<Lease | null>
  publish(channel: string, message: string): Promise<void>
  /** Returns the unsubscribe function. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>
  ping(): Promise<void>
  close(): Promise<void>
}
