import { describe, expect, it } from 'vitest'
import { disabledUntil, isRateLimited, parseRetryAfterHeader, updateRateLimits } from './rate-limits'

const now = 1_700_000_000_000

describe('rate limits', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfterHeader('30', now)).toBe(30_000)
    expect(parseRetryAfterHeader('1.5', now)).toBe(1500)
    expect(parseRetryAfterHeader(new Date(now + 45_000).toUTCString(), now)).toBe(45_000)
    expect(parseRetryAfterHeader('garbage', now)).toBe(60_000)
    expect(parseRetryAfterHeader(null, now)).toBe(60_000)
  })

  it('applies X-Sentry-Rate-Limits per category', () => {
    const limits = updateRateLimits({}, { statusCode: 429, headers: { 'x-sentry-rate-limits': '60:error;transaction:key:quota_exceeded, 10:replay:organization' } }, now)
    expect(disabledUntil(limits, 'error')).toBe(now + 60_000)
    expect(disabledUntil(limits, 'transaction')).toBe(now + 60_000)
    expect(disabledUntil(limits, 'replay')).toBe(now + 10_000)
    expect(isRateLimited(limits, 'security', now)).toBe(false)
    expect(isRateLimited(limits, 'replay', now + 10_001)).toBe(false)
  })

  it('treats an empty category list as all categories', () => {
    const limits = updateRateLimits({}, { statusCode: 200, headers: { 'x-sentry-rate-limits': '5::organization' } }, now)
    expect(isRateLimited(limits, 'error', now)).toBe(true)
    expect(isRateLimited(limits, 'security', now + 4999)).toBe(true)
    expect(isRateLimited(limits, 'security', now + 5000)).toBe(false)
  })

  it('ignores metric_bucket limits outside the custom namespace', () => {
    const limits = updateRateLimits({}, { headers: { 'x-sentry-rate-limits': '10:metric_bucket:organization:quota:spans' } }, now)
    expect(limits.metric_bucket).toBeUndefined()
  })

  it('falls back to Retry-After and then to 60 s for a bare 429', () => {
    expect(updateRateLimits({}, { statusCode: 429, headers: { 'retry-after': '7' } }, now).all).toBe(now + 7000)
    expect(updateRateLimits({}, { statusCode: 429, headers: {} }, now).all).toBe(now + 60_000)
    expect(updateRateLimits({ error: 5 }, { statusCode: 200 }, now)).toEqual({ error: 5 })
  })
})
