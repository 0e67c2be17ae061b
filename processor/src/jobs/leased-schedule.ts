/**
 * Runs a periodic task on exactly one replica: the replica holding the cache lease runs it and
 * extends the lease on every tick; when it dies the lease expires and another one takes over.
 * Ticks are aligned to the interval (plus an offset, so late data of the past minute lands first).
 */
import { describeError } from '@faultline/core/errors'
import type { Logger } from '@faultline/core/log'
import type { Cache, Lease } from '@faultline/core/ports'

export interface LeasedScheduleOptions {
  key: string
  intervalMs: number
  /** Delay after each aligned boundary. */
  offsetMs: number
  /** How long a lease outlives its holder's last tick; a few intervals. */
  leaseTtlMs: number
}

export class LeasedSchedule {
  readonly #cache: Cache
  readonly #logger: Logger
  readonly #options: LeasedScheduleOptions
  readonly #task: (now: number) => Promise<void>
  #timer: NodeJS.Timeout | undefined
  #lease: Lease | null = null
  #inFlight: Promise<void> | undefined
  #stopped = true

  constructor(cache: Cache, logger: Logger, options: LeasedScheduleOptions, task: (now: number) => Promise<void>) {
    this.#cache = cache
    this.#logger = logger
    this.#options = options
    this.#task = task
  }

  get holdsLease(): boolean {
    return this.#lease !== null
  }

  start(): void {
    if (!this.#stopped) return
    this.#stopped = false
    this.#schedule()
  }

  /** Waits for a running tick, then gives the lease up so another replica takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#inFlight
    const lease = this.#lease
    this.#lease = null
    await lease?.release().catch((error: unknown) => this.#logger.warn('releasing a job lease failed', { key: this.#options.key, error: describeError(error) }))
  }

  /** One tick: take or keep the lease, run the task when held. Resolves true when it ran. */
  async tick(now = Date.now()): Promise<boolean> {
    const { key, leaseTtlMs } = this.#options
    if (this.#lease && !(await this.#lease.extend(leaseTtlMs))) {
      this.#logger.warn('job lease lost to another replica', { key })
      this.#lease = null
    }
    this.#lease ??= await this.#cache.acquireLease(key, leaseTtlMs)
    if (!this.#lease) return false
    await this.#task(now)
    return true
  }

  #schedule(): void {
    if (this.#stopped) return
    const { intervalMs, offsetMs } = this.#options
    const now = Date.now()
    const next = Math.floor((now - offsetMs) / intervalMs) * intervalMs + intervalMs + offsetMs
    this.#timer = setTimeout(() => {
      this.#inFlight = this.tick()
        .then(
          () => undefined,
          (error: unknown) => this.#logger.error('periodic job failed; it runs again at the next tick', { key: this.#options.key, error: describeError(error) }),
        )
        .finally(() => {
          this.#inFlight = undefined
          this.#schedule()
        })
    }, next - now)
    this.#timer.unref()
  }
}
