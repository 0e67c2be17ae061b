/**
 * Once an hour, on one replica (cache lease): makes the event store's retention of each project
 * match its privacy settings (a change made through the API is applied there at once; this
 * catches one whose write to the event store failed), removes the metadata that points at expired
 * events, and bounds the bus's own retention by discarding dead letters older than
 * `DEAD_LETTER_RETENTION_DAYS` or than their project's retention, whichever is shorter.
 */
import { describeError } from '@faultline/core/errors'
import { openOutcomes, type OutcomeDoc } from '@faultline/core/outcomes'
import type { Platform } from '@faultline/core/platform'
import type { Subject } from '@faultline/core/ports'
import type { TenantCollection } from '@faultline/core/tenancy'
import { Subjects } from '@faultline/core/ports'
import { PrivacySettingsStore } from '@faultline/core/privacy'
import { applyProjectRetention, cleanExpiredMetadata, storedRetention } from '@faultline/core/retention'
import { decodeErrorMessage } from '@faultline/core/schema'
import { LeasedSchedule } from '../jobs'

/** Dead letters (with their event payloads) are discarded after this many days at most. */
export const DEAD_LETTER_RETENTION_DAYS = 14
const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000

export interface RetentionJobOptions {
  intervalMs?: number
  leaseKey?: string
}

export interface RetentionReport {
  projects: number
  /** Projects whose event-store retention was changed to match their settings. */
  applied: string[]
  issuesRemoved: number
  outcomesRemoved: number
  deadLettersRemoved: number
}

export class RetentionJob {
  readonly #platform: Platform
  readonly #schedule: LeasedSchedule
  #stores: Promise<{ settings: PrivacySettingsStore; outcomes: TenantCollection<OutcomeDoc> }> | undefined

  constructor(platform: Platform, options: RetentionJobOptions = {}) {
    this.#platform = platform
    const intervalMs = options.intervalMs ?? HOUR_MS
    this.#schedule = new LeasedSchedule(
      platform.cache,
      platform.logger,
      { key: options.leaseKey ?? 'job:retention', intervalMs, offsetMs: 0, leaseTtlMs: intervalMs * 3 },
      async (now) => {
        const report = await this.runOnce(now)
        platform.logger.info('retention pass done', { ...report, applied: report.applied.length })
      },
    )
  }

  start(): void {
    this.#schedule.start()
  }

  stop(): Promise<void> {
    return this.#schedule.stop()
  }

  async runOnce(now = Date.now()): Promise<RetentionReport> {
    const { settings, outcomes } = await this.#openStores()
    const platform = this.#platform
    const stored = await storedRetention(platform.eventStore)
    const projects = await platform.projects.projects.find({})
    const report: RetentionReport = { projects: projects.length, applied: [], issuesRemoved: 0, outcomesRemoved: 0, deadLettersRemoved: 0 }
    const retention = new Map<string, number>()
    for (const project of projects) {
      const days = (await settings.get(project.orgId, project._id)).settings.retentionDays
      retention.set(project._id, days)
      try {
        if (stored.get(project._id) !== days) {
          await applyProjectRetention(platform.eventStore, project._id, days, now)
          report.applied.push(project._id)
        }
        const removed = await cleanExpiredMetadata({ issues: platform.issues, outcomes }, project.orgId, project._id, days, now)
        report.issuesRemoved += removed.issues
        report.outcomesRemoved += removed.outcomes
      } catch (error) {
        // One project's failure must not stop the others; the next pass retries it.
        platform.logger.error('retention of a project failed', { projectId: project._id, error: describeError(error) })
      }
    }
    for (const subject of Object.values(Subjects)) report.deadLettersRemoved += await this.#purgeDeadLetters(subject, retention, now)
    return report
  }

  async #purgeDeadLetters(subject: Subject, retention: Map<string, number>, now: number): Promise<number> {
    const bus = this.#platform.bus
    let removed = 0
    let afterSeq: number | undefined
    for (;;) {
      const page = await bus.listDeadLetters(subject, { afterSeq, limit: 500 })
      if (page.length === 0) return removed
      for (const letter of page) {
        const decoded = subject === Subjects.errors ? decodeErrorMessage(letter.data) : undefined
        const projectDays = decoded?.ok ? retention.get(decoded.message.projectId) : undefined
        const days = Math.min(DEAD_LETTER_RETENTION_DAYS, projectDays ?? DEAD_LETTER_RETENTION_DAYS)
        if (letter.failedAt < now - days * DAY_MS && (await bus.discardDeadLetter(subject, letter.seq))) removed++
      }
      afterSeq = page.at(-1)!.seq
    }
  }

  #openStores() {
    this.#stores ??= (async () => ({
      settings: await PrivacySettingsStore.open(this.#platform.metadata, { scrubIpAddresses: this.#platform.config.scrub.scrubIpAddresses }),
      outcomes: await openOutcomes(this.#platform.metadata),
    }))()
    return this.#stores
  }
}
