/**
 * Ingest's part of the security pipeline, for every intake (envelope `security` items, browser
 * reports, the generic endpoint): normalize each event at the edge (a bad one refuses the request
 * with its index and reason), apply the key's rate limit and project quota and the bus backlog,
 * scrub, and publish on the `security` subject in group commits. Resolves once the bus holds the
 * events durably.
 */
import type { ProjectKeyDoc } from '@faultline/core/projects'
import { GroupCommit } from '@faultline/core/batching'
import type { Platform } from '@faultline/core/platform'
import type { OutgoingMessage } from '@faultline/core/ports'
import { Outcomes, type OutcomeRecorder } from '@faultline/core/outcomes'
import { httpError } from '@faultline/core/http'
import { describeError } from '@faultline/core/errors'
import { encodeSecurityMessage, normalizeSecurityEvent, securityMessageId, securityMessages, type SecurityDataset, type SecurityEvent } from '@faultline/core/security'
import { backpressureRetryAfterSeconds } from '../services/backpressure'
import type { ProjectScrubbers } from '../scrub'
import { publishAdmitted, type AdmissionDeps } from '../services/admission'
import { projectScrubber } from '../services/project-scrubber'
import { scrubSecurityEvent } from './scrub-security-event'

export interface SecurityIntakeDeps extends AdmissionDeps {
  platform: Pick<Platform, 'bus' | 'cache' | 'config' | 'logger'>
  outcomes: OutcomeRecorder
  scrubbers: Pick<ProjectScrubbers, 'forProject'>
}

export interface SecuritySubmission {
  key: ProjectKeyDoc
  dataset: SecurityDataset
  /** Raw events, each normalized here. */
  events: unknown[]
  clientIp?: string
  /** Reports a browser sent that are not security events (deprecations, crashes): counted, not kept. */
  ignored?: number
}

const category = 'security'

export class SecurityIntake {
  readonly #deps: SecurityIntakeDeps
  readonly #publisher: GroupCommit<OutgoingMessage>

  constructor(deps: SecurityIntakeDeps) {
    this.#deps = deps
    this.#publisher = new GroupCommit({ maxBatchSize: 200, flush: (messages) => deps.platform.bus.publish('security', messages) })
  }

  /** Returns the ids of the accepted events, in order. */
  async accept(submission: SecuritySubmission, now = Date.now()): Promise<string[]> {
    const { platform, outcomes, scrubbers, eventsCounter } = this.#deps
    const projectId = submission.key.projectId
    const scrubber = await projectScrubber(scrubbers, platform.logger, projectId)
    if (submission.ignored) outcomes.record({ projectId, category, outcome: Outcomes.filtered, reason: 'not_a_security_report' }, submission.ignored, now)
    const events: SecurityEvent[] = []
    for (const [index, raw] of submission.events.entries()) {
      const normalized = normalizeSecurityEvent(raw, { receivedAt: now, dataset: submission.dataset, clientIp: submission.clientIp })
      if (!normalized.ok) {
        outcomes.record({ projectId, category, outcome: Outcomes.invalid, reason: 'invalid_security_event' }, submission.events.length, now)
        throw httpError(400, submission.events.length === 1 ? `Security event: ${normalized.reason}` : `Security event ${index}: ${normalized.reason}`)
      }
      events.push(scrubSecurityEvent(scrubber, normalized.event).event)
    }
    if (events.length === 0) return []

    const messages = securityMessages(projectId, now, events).map((message) => ({ id: securityMessageId(message), data: encodeSecurityMessage(message) }))
    const admission = {
      subject: 'security' as const,
      key: submission.key,
      messages: events.length,
      items: events.length,
      onRateLimited: (limit: { scope: string }) => outcomes.record({ projectId, category, outcome: Outcomes.rateLimited, reason: `${limit.scope}_rate_limit` }, events.length, now),
    }
    await publishAdmitted(this.#deps, admission, async () => {
      try {
        await this.#publisher.add(messages)
      } catch (error) {
        platform.logger.error('publishing security events to the bus failed', { projectId, count: events.length, error: describeError(error) })
        throw httpError(503, 'Security events could not be queued durably; retry later', { 'retry-after': String(backpressureRetryAfterSeconds) })
      }
    }, now)
    outcomes.record({ projectId, category, outcome: Outcomes.accepted, reason: '' }, events.length, now)
    eventsCounter.inc({ outcome: 'accepted' }, events.length)
    return events.map((e) => e.event.id)
  }
}
