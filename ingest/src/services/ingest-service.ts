/**
 * What ingest does with a parsed submission once its key is known: apply backpressure and rate
 * limits, scrub, hand events to the bus, count outcomes. Resolves only after the
 * bus holds them durably, which is when the sender may be told they were accepted.
 */
import { randomUUID } from 'node:crypto'
import type { ProjectKeyDoc } from '@faultline/core/projects'
import { GroupCommit } from '@faultline/core/batching'
import type { Platform } from '@faultline/core/platform'
import type { OutgoingMessage } from '@faultline/core/ports'
import { encodeErrorMessage, parseEventId } from '@faultline/core/schema'
import { Outcomes, type OutcomeRecorder } from '@faultline/core/outcomes'
import { httpError } from '@faultline/core/http'
import { describeError } from '@faultline/core/errors'
import { faultPoint } from '@faultline/core/faults'
import { backpressureRetryAfterSeconds } from './backpressure'
import { publishAdmitted, type AdmissionDeps } from './admission'
import { itemCategory } from './item-categories'
import type { ProjectScrubbers } from '../scrub'
import { projectScrubber } from './project-scrubber'

export interface Submission {
  key: ProjectKeyDoc
  /** Error events, parsed, in the order sent. */
  events: Record<string, unknown>[]
  /** Items without a processor yet, counted and dropped, by item type. */
  otherItems: Map<string, number>
  /** Discards reported by the SDK in client reports. */
  clientDiscards: { category: string; reason: string; quantity: number }[]
  /** Every item of the submission, of whatever kind: what the rate limits charge. */
  itemCount: number
  clientIp?: string
}

export interface IngestServiceDeps extends AdmissionDeps {
  platform: Pick<Platform, 'bus' | 'cache' | 'config' | 'logger'>
  outcomes: OutcomeRecorder
  scrubbers: Pick<ProjectScrubbers, 'forProject'>
}

export class IngestService {
  readonly #deps: IngestServiceDeps
  readonly #publisher: GroupCommit<OutgoingMessage>

  constructor(deps: IngestServiceDeps) {
    this.#deps = deps
    this.#publisher = new GroupCommit({
      maxBatchSize: 500,
      flush: (messages) => deps.platform.bus.publish('errors', messages),
    })
  }

  /** Whether ingest can accept events now (the bus backlog has room): what readiness reports. */
  async ready(): Promise<boolean> {
    return this.#deps.backlog.hasRoom('errors')
  }

  /**
   * Accepts a submission, or refuses it whole. Returns the id of the first event (or a fresh id
   * when there is none), as Sentry answers. The backlog is checked before the rate limits are
   * charged, and whatever was admitted or charged is given back when the submission is refused or
   * cannot be published: only accepted items use up a limit.
   */
  async accept(submission: Submission, now = Date.now()): Promise<string> {
    const { outcomes, eventsCounter } = this.#deps
    const { events, key } = submission
    const projectId = key.projectId
    if (submission.itemCount === 0) return randomUUID().replaceAll('-', '')

    const firstId = await publishAdmitted(
      this.#deps,
      {
        subject: 'errors',
        key,
        messages: events.length,
        items: submission.itemCount,
        onRateLimited: (limit) => {
          const reason = `${limit.scope}_rate_limit`
          outcomes.record({ projectId, category: 'error', outcome: Outcomes.rateLimited, reason }, events.length, now)
          for (const [type, quantity] of submission.otherItems) outcomes.record({ projectId, category: itemCategory(type), outcome: Outcomes.rateLimited, reason }, quantity, now)
        },
      },
      () => this.#publish(submission, now),
      now,
    )
    for (const [type, quantity] of submission.otherItems) {
      outcomes.record({ projectId, category: itemCategory(type), outcome: Outcomes.filtered, reason: `no_processor:${type}` }, quantity, now)
    }
    for (const discard of submission.clientDiscards) {
      outcomes.record({ projectId, category: discard.category, outcome: Outcomes.clientDiscard, reason: discard.reason }, discard.quantity, now)
    }
    outcomes.record({ projectId, category: 'error', outcome: Outcomes.accepted, reason: '' }, events.length, now)
    eventsCounter.inc({ outcome: 'accepted' }, events.length)
    return firstId ?? randomUUID().replaceAll('-', '')
  }

  /** Scrubs the events and hands them to the bus; resolves with the first one's id once the bus holds them durably. */
  async #publish(submission: Submission, now: number): Promise<string | undefined> {
    if (submission.events.length === 0) return undefined
    const { platform, scrubbers } = this.#deps
    const projectId = submission.key.projectId
    const scrubber = await projectScrubber(scrubbers, platform.logger, projectId)
    const messages = submission.events.map((raw) => {
      const { event, clientIp } = scrubber.scrubEvent(raw, { clientIp: submission.clientIp })
      const eventId = parseEventId(event.event_id) ?? randomUUID().replaceAll('-', '')
      event.event_id = eventId
      const data = encodeErrorMessage({ v: 1, projectId, eventId, receivedAt: now, clientIp, event })
      return { id: `${projectId}:${eventId}`, data }
    })
    try {
      await this.#publisher.add(messages)
    } catch (error) {
      platform.logger.error('publishing events to the bus failed', { projectId, count: messages.length, error: describeError(error) })
      throw httpError(503, 'Events could not be queued durably; retry later', { 'retry-after': String(backpressureRetryAfterSeconds) })
    }
    faultPoint('after-bus-publish')
    return messages[0]!.id.slice(projectId.length + 1)
  }
}
