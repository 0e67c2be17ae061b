/**
 * What ingest does with a parsed submission once its key is known: sort items, count outcomes,
 * apply rate limits and backpressure, scrub, and hand events to the bus. Resolves only after the
 * bus holds them durably, which is when the sender may be told they were accepted.
 */
import { randomUUID } from 'node:crypto'
import type { ProjectKeyDoc } from '@faultline/core/projects'
import { GroupCommit } from '@faultline/core/batching'
import type { Platform } from '@faultline/core/platform'
import type { OutgoingMessage } from '@faultline/core/ports'
import { encodeErrorMessage } from '@faultline/core/schema'
import { Outcomes, type OutcomeRecorder } from '@faultline/core/outcomes'
import { httpError } from '@faultline/core/http'
import { describeError } from '@faultline/core/errors'
import type { Counter } from '@faultline/core/metrics'
import { backpressureRetryAfterSeconds, type BacklogGuard } from './backpressure'
import { checkRateLimits } from './rate-limits'
import { itemCategory } from './item-categories'
import type { ProjectScrubbers, Scrubber } from '../scrub'

export interface Submission {
  key: ProjectKeyDoc
  /** Error events, parsed, in the order sent. */
  events: Record<string, unknown>[]
  /** Items without a processor yet, counted and dropped. */
  otherItems: { type: string; quantity: number }[]
  /** Discards reported by the SDK in client reports. */
  clientDiscards: { category: string; reason: string; quantity: number }[]
  clientIp?: string
}

export interface IngestServiceDeps {
  platform: Pick<Platform, 'bus' | 'cache' | 'config' | 'logger'>
  outcomes: OutcomeRecorder
  backlog: BacklogGuard
  scrubbers: Pick<ProjectScrubbers, 'forProject'>
  eventsCounter: Counter
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

  /** Returns the id of the first event (or a fresh id when there is none), as Sentry answers. */
  async accept(submission: Submission, now = Date.now()): Promise<string> {
    const { platform, outcomes, backlog, scrubbers, eventsCounter } = this.#deps
    const projectId = submission.key.projectId
    for (const item of submission.otherItems) {
      outcomes.record({ projectId, category: itemCategory(item.type), outcome: Outcomes.filtered, reason: `no_processor:${item.type}` }, item.quantity, now)
    }
    for (const discard of submission.clientDiscards) {
      outcomes.record({ projectId, category: discard.category, outcome: Outcomes.clientDiscard, reason: discard.reason }, discard.quantity, now)
    }
    const events = submission.events
    if (events.length === 0) return randomUUID().replaceAll('-', '')

    const limit = await checkRateLimits(platform.cache, submission.key, events.length, platform.config.rateLimits)
    if (!limit.allowed) {
      outcomes.record({ projectId, category: 'error', outcome: Outcomes.rateLimited, reason: `${limit.scope}_rate_limit` }, events.length, now)
      eventsCounter.inc({ outcome: 'rate_limited' }, events.length)
      throw httpError(429, `Rate limit of this ${limit.scope} exceeded; retry after ${limit.retryAfterSeconds} s`, limit.headers)
    }
    if (!(await backlog.admits('errors', events.length, now))) {
      eventsCounter.inc({ outcome: 'backpressure' }, events.length)
      throw httpError(503, 'Event processing is behind; retry later', { 'retry-after': String(backpressureRetryAfterSeconds) })
    }

    let scrubber: Scrubber
    try {
      scrubber = await scrubbers.forProject(projectId)
    } catch (error) {
      // Events are never queued unscrubbed: without the project's rules they wait for a retry.
      platform.logger.error('loading the privacy rules of a project failed', { projectId, error: describeError(error) })
      throw httpError(503, 'Privacy settings could not be read; retry later', { 'retry-after': String(backpressureRetryAfterSeconds) })
    }
    const messages = events.map((raw) => {
      const { event, clientIp } = scrubber.scrubEvent(raw, { clientIp: submission.clientIp })
      const eventId = normalizeEventId(event.event_id)
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
    outcomes.record({ projectId, category: 'error', outcome: Outcomes.accepted, reason: '' }, messages.length, now)
    eventsCounter.inc({ outcome: 'accepted' }, messages.length)
    return messages[0]!.id.slice(projectId.length + 1)
  }
}

function normalizeEventId(value: unknown): string {
  if (typeof value === 'string') {
    const compact = value.replaceAll('-', '').toLowerCase()
    if (/^[0-9a-f]{32}$/.test(compact)) return compact
  }
  return randomUUID().replaceAll('-', '')
}
