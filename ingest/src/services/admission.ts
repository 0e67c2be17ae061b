/**
 * Admission of a submission's items, the same for every subject ingest publishes on: the bus
 * backlog is checked before the rate limits are charged, and whatever was admitted or charged is
 * given back when the submission is refused or cannot be published, so only accepted items use up
 * a limit.
 */
import type { Platform } from '@faultline/core/platform'
import type { Subject } from '@faultline/core/ports'
import type { ProjectKeyDoc } from '@faultline/core/projects'
import type { Counter } from '@faultline/core/metrics'
import { httpError } from '@faultline/core/http'
import { backpressureRetryAfterSeconds, type BacklogGuard } from './backpressure'
import { checkRateLimits, refundRateLimits, type RateLimitDecision } from './rate-limits'

export interface AdmissionDeps {
  platform: Pick<Platform, 'cache' | 'config'>
  backlog: BacklogGuard
  eventsCounter: Counter
}

export interface Admission {
  subject: Subject
  key: ProjectKeyDoc
  /** Messages this submission puts on the subject: what the backlog admits. */
  messages: number
  /** Every item of the submission: what the rate limits charge. */
  items: number
  /** Records the refusal's outcomes before the 429 is thrown. */
  onRateLimited: (limit: Extract<RateLimitDecision, { allowed: false }>) => void
}

/** Publishes through `publish` once admitted; throws the 503 or 429 that refuses the submission otherwise. */
export async function publishAdmitted<T>(deps: AdmissionDeps, admission: Admission, publish: () => Promise<T>, now = Date.now()): Promise<T> {
  const { platform, backlog, eventsCounter } = deps
  const { subject, key, messages, items } = admission
  if (messages > 0 && !(await backlog.admits(subject, messages, now))) {
    eventsCounter.inc({ outcome: 'backpressure' }, messages)
    throw httpError(503, 'Event processing is behind; retry later', { 'retry-after': String(backpressureRetryAfterSeconds) })
  }
  const limit = await checkRateLimits(platform.cache, key, items, platform.config.rateLimits)
  if (!limit.allowed) {
    backlog.release(subject, messages)
    admission.onRateLimited(limit)
    eventsCounter.inc({ outcome: 'rate_limited' }, messages)
    throw httpError(429, `Rate limit of this ${limit.scope} exceeded; retry after ${limit.retryAfterSeconds} s`, limit.headers)
  }
  try {
    return await publish()
  } catch (error) {
    backlog.release(subject, messages)
    await refundRateLimits(platform.cache, key, items, platform.config.rateLimits)
    throw error
  }
}
