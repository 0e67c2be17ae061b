import type { DataCategory } from '../envelope'

/** Per-category deadlines (ms since epoch). `all` applies to every category. */
export type RateLimits = Record<string, number>

export interface RateLimitResponse {
  statusCode?: number
  headers?: { 'x-sentry-rate-limits'?: string | null; 'retry-after'?: string | null }
}

const defaultRetryAfterMs = 60_000

/** `Retry-After` as seconds or an HTTP date, in ms from `now`; 60 s when absent or unreadable. */
export function parseRetryAfterHeader(header: string | null | undefined, now = Date.now()): number {
  if (!header) return defaultRetryAfterMs
  const seconds = Number(header)
  if (header.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  if (!Number.isNaN(date)) return Math.max(0, date - now)
  return defaultRetryAfterMs
}

export function disabledUntil(limits: RateLimits, category: DataCategory | string): number {
  return limits[category] ?? limits.all ?? 0
}

export function isRateLimited(limits: RateLimits, category: DataCategory | string, now = Date.now()): boolean {
  return disabledUntil(limits, category) > now
}

/**
 * Applies a response to the limits. `X-Sentry-Rate-Limits` wins over `Retry-After`: it is a
 * comma-separated list of `retry_after:categories:scope:reason_code:namespaces`, with categories
 * `;`-separated and an empty list meaning all. A 429 without it limits everything for `Retry-After`.
 */
export function updateRateLimits(limits: RateLimits, response: RateLimitResponse, now = Date.now()): RateLimits {
  const updated: RateLimits = { ...limits }
  const rateLimitHeader = response.headers?.['x-sentry-rate-limits']
  const retryAfterHeader = response.headers?.['retry-after']
  if (rateLimitHeader) {
    for (const limit of rateLimitHeader.trim().split(',')) {
      const [retryAfter, categories, , , namespaces] = limit.trim().split(':', 5)
      const seconds = Number.parseInt(retryAfter ?? '', 10)
      const delay = (Number.isNaN(seconds) ? 60 : seconds) * 1000
      if (!categories) {
        updated.all = now + delay
        continue
      }
      for (const category of categories.split(';')) {
        // metric_bucket limits only apply to custom metrics namespaces; errors are unaffected.
        if (category === 'metric_bucket' && namespaces && !namespaces.split(';').includes('custom')) continue
        if (category) updated[category] = now + delay
      }
    }
  } else if (retryAfterHeader) {
    updated.all = now + parseRetryAfterHeader(retryAfterHeader, now)
  } else if (response.statusCode === 429) {
    updated.all = now + defaultRetryAfterMs
  }
  return updated
}
