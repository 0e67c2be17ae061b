/**
 * Backpressure, not collapse: when the processors fall behind and the bus backlog passes its
 * limit, ingest refuses new events with 503 and Retry-After instead of growing the queue without
 * bound. The backlog is read at most every `refreshMs` so the check costs nothing per request;
 * between readings the events this process admitted are added to the last reading, so one ingest
 * process stops at the limit. Several ingest processes can still pass it together by what each
 * admits within one `refreshMs`.
 */
import type { Bus, Subject } from '@faultline/core/ports'
import type { Logger } from '@faultline/core/log'
import { describeError } from '@faultline/core/errors'

interface Reading {
  backlog: number
  admitted: number
  readAt: number
  refreshing?: Promise<void>
}

/** What a refused sender is told to wait before retrying. */
export const backpressureRetryAfterSeconds = 5

export class BacklogGuard {
  readonly #bus: Bus
  readonly #maxBacklog: number
  readonly #refreshMs: number
  readonly #logger: Logger
  readonly #known = new Map<Subject, Reading>()

  constructor(bus: Bus, maxBacklog: number, logger: Logger, refreshMs = 250) {
    this.#bus = bus
    this.#maxBacklog = maxBacklog
    this.#logger = logger
    this.#refreshMs = refreshMs
  }

  /** True when `subject` can take `count` more messages; they are then counted as admitted. */
  async admits(subject: Subject, count: number, now = Date.now()): Promise<boolean> {
    const entry = await this.#current(subject, now)
    if (entry.backlog + entry.admitted + count > this.#maxBacklog) return false
    entry.admitted += count
    return true
  }

  /** Gives back an admission whose messages were not published after all (refused or failed). */
  release(subject: Subject, count: number): void {
    const entry = this.#known.get(subject)
    if (entry) entry.admitted = Math.max(0, entry.admitted - count)
  }

  /** Whether `subject` can take one more message now: what readiness reports. */
  async hasRoom(subject: Subject, now = Date.now()): Promise<boolean> {
    const entry = await this.#current(subject, now)
    return entry.backlog + entry.admitted < this.#maxBacklog
  }

  /** The subject's last reading plus what was admitted since; a stale reading is refreshed. */
  async #current(subject: Subject, now: number): Promise<Reading> {
    let entry = this.#known.get(subject)
    if (!entry) {
      entry = { backlog: 0, admitted: 0, readAt: 0 }
      this.#known.set(subject, entry)
    }
    if (now - entry.readAt >= this.#refreshMs && !entry.refreshing) {
      const target = entry
      // What was admitted before the reading started is in it (or about to be: a publish in flight).
      const admittedBefore = target.admitted
      target.refreshing = this.#bus
        .backlog(subject)
        .then((backlog) => {
          target.backlog = backlog
          // A release during the reading may have given back part of what it counted.
          target.admitted = Math.max(0, target.admitted - admittedBefore)
          target.readAt = Date.now()
        })
        .catch((error) => this.#logger.warn('reading the bus backlog failed', { subject, error: describeError(error) }))
        .finally(() => {
          target.refreshing = undefined
        })
      // The first reading is awaited; later ones refresh in the background.
      if (target.readAt === 0) await target.refreshing
    }
    return entry
  }
}
