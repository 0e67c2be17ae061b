/**
 * Rate limits per DSN key and quotas per project, through the cache port so every ingest replica
 * shares the same counters. Answers in Sentry's terms: `Retry-After` and `X-Sentry-Rate-Limits`.
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

export async function checkRateLimits(cache: Cache, key: ProjectKeyDoc, cost: number, settings: RateLimitSettings): Promise<RateLimitDecision> {
  if (cost <= 0) return { allowed: true }
  const keyLimit = key.rateLimitPerMinute ?? settings.keyPerMinute
  const checks: { scope: 'key' | 'project'; cacheKey: string; limit: number }[] = [
    { scope: 'key', cacheKey: `rl:key:${key._id}`, limit: keyLimit },
    { scope: 'project', cacheKey: `rl:project:${key.projectId}`, limit: settings.projectPerMinute },
  ]
  for (const check of checks) {
    if (check.limit <= 0) continue // 0 means unlimited
    const result = await cache.consume(check.cacheKey, cost, check.limit, windowMs)
    if (!result.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000))
      return {
        allowed: false,
        scope: check.scope,
        retryAfterSeconds,
        headers: {
          'retry-after': String(retryAfterSeconds),
          // retry_after:categories:scope:reason_code — no categories means every category.
          'x-sentry-rate-limits': `${retryAfterSeconds}::${check.scope === 'key' ? 'key' : 'project'}:${check.scope}_rate_limit`,
        },
      }
    }
  }
  return { allowed: true }
}
