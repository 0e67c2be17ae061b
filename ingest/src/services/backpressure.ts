/**
 * Backpressure, not collapse: when the processors fall behind and the bus backlog passes its
 * limit, ingest refuses new events with 503 and Retry-After instead of growing the queue without
 * bound. The backlog is read at most every `refreshMs` so the check costs nothing per request.
 */
import type { Bus, Subject } from '@faultline/core/ports'
import type { Logger } from '@faultline/core/log'
import { describeError } from '@faultline/core/errors'

/** What a refused sender is told to wait before retrying. */
export const backpressureRetryAfterSeconds = 5

export class BacklogGuard {
  readonly #bus: Bus
  readonly #maxBacklog: number
  readonly #refreshMs: number
  readonly #logger: Logger
  readonly #known = new Map<Subject, { backlog: number; readAt: number; refreshing?: Promise<void> }>()

  constructor(bus: Bus, maxBacklog: number, logger: Logger, refreshMs = 250) {
    this.#bus = bus
    this.#maxBacklog = maxBacklog
    this.#logger = logger
    this.#refreshMs = refreshMs
  }

  /** True when `subject` can take more messages. */
  async admits(subject: Subject, now = Date.now()): Promise<boolean> {
    let entry = this.#known.get(subject)
    if (!entry) {
      entry = { backlog: 0, readAt: 0 }
      this.#known.set(subject, entry)
    }
    if (now - entry.readAt >= this.#refreshMs && !entry.refreshing) {
      const target = entry
      target.refreshing = this.#bus
        .backlog(subject)
        .then((backlog) => {
          target.backlog = backlog
          target.readAt = Date.now()
        })
        .catch((error) => this.#logger.warn('reading the bus backlog failed', { subject, error: describeError(error) }))
        .finally(() => {
          target.refreshing = undefined
        })
      // The first reading is awaited; later ones refresh in the background.
      if (target.readAt === 0) await target.refreshing
    }
    return entry.backlog < this.#maxBacklog
  }
}
