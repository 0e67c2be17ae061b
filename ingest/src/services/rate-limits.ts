/**
 * Rate limits per DSN key and quotas per project, through the cache port so every ingest replica
 * shares the same counters. Answers in Sentry's terms: `Retry-After` and `X-Sentry-Rate-Limits`.
 * Only what is accepted stays charged: a key limit consumed before the project quota refused is
 * given back at once, and the caller refunds (`refundRateLimits`) what it then fails to accept.
 */
import type { ProjectKeyDoc } from '@faultline/core/projects'
import type { Cache } from '@faultline/core/ports'

export interface RateLimitSettings {
  keyPerMinute: number
  projectPerMinute: number
}

export type RateLimitDecision =
  | { allowed: true }
  | { allowed: false; scope: 'key' | 'project'; retryAfterSeconds: number; headers: Record<string, string> }

const windowMs = 60_000

interface LimitCheck {
  scope: 'key' | 'project'
  cacheKey: string
  limit: number
}

/** The limits that apply to `key`; 0 means unlimited. */
function limitChecks(key: ProjectKeyDoc, settings: RateLimitSettings): LimitCheck[] {
  return [
    { scope: 'key' as const, cacheKey: `rl:key:${key._id}`, limit: key.rateLimitPerMinute ?? settings.keyPerMinute },
    { scope: 'project' as const, cacheKey: `rl:project:${key.projectId}`, limit: settings.projectPerMinute },
  ].filter((check) => check.limit > 0)
}

export async function checkRateLimits(cache: Cache, key: ProjectKeyDoc, cost: number, settings: RateLimitSettings): Promise<RateLimitDecision> {
  if (cost <= 0) return { allowed: true }
  const charged: LimitCheck[] = []
  for (const check of limitChecks(key, settings)) {
    const result = await cache.consume(check.cacheKey, cost, check.limit, windowMs)
    if (!result.allowed) {
      for (const earlier of charged) await cache.refund(earlier.cacheKey, cost)
      const retryAfterSeconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000))
      return {
        allowed: false,
        scope: check.scope,
        retryAfterSeconds,
        headers: {
          'retry-after': String(retryAfterSeconds),
          // retry_after:categories:scope:reason_code — no categories means every category.
          'x-sentry-rate-limits': `${retryAfterSeconds}::${check.scope}:${check.scope}_rate_limit`,
        },
      }
    }
    charged.push(check)
  }
  return { allowed: true }
}

/** Gives back what an allowed `checkRateLimits` charged, when the submission was not accepted after all. */
export async function refundRateLimits(cache: Cache, key: ProjectKeyDoc, cost: number, settings: RateLimitSettings): Promise<void> {
  if (cost <= 0) return
  for (const check of limitChecks(key, settings)) await cache.refund(check.cacheKey, cost)
}
