import { afterAll, describe, expect, it } from 'vitest'
import { createMemoryCache } from '@faultline/core/adapters/cache'
import type { ProjectKeyDoc } from '@faultline/core/projects'
import { checkRateLimits } from './rate-limits'

const keyOf = (id: string, projectId: string, rateLimitPerMinute?: number): ProjectKeyDoc => ({
  _id: id,
  orgId: 'o1',
  projectId,
  label: id,
  createdAt: 0,
  disabled: false,
  ...(rateLimitPerMinute !== undefined && { rateLimitPerMinute }),
})

// Every test uses keys and projects of its own, so they share one cache without meeting.
const cache = createMemoryCache()
afterAll(() => cache.close())

/** Statuses of `n` single-event submissions, as allowed/scope. */
async function spend(key: ProjectKeyDoc, n: number, settings: { keyPerMinute: number; projectPerMinute: number }): Promise<string[]> {
  const answers: string[] = []
  for (let i = 0; i < n; i++) {
    const decision = await checkRateLimits(cache, key, 1, settings)
    answers.push(decision.allowed ? 'ok' : decision.scope)
  }
  return answers
}

describe('checkRateLimits', () => {
  it('applies the key limit per key, with a key of its own overriding the default', async () => {
    const settings = { keyPerMinute: 3, projectPerMinute: 0 }
    expect(await spend(keyOf('k1', '1'), 4, settings)).toEqual(['ok', 'ok', 'ok', 'key'])
    // Another key of the same project has its own budget.
    expect(await spend(keyOf('k2', '1'), 3, settings)).toEqual(['ok', 'ok', 'ok'])
    expect(await spend(keyOf('k3', '1', 1), 2, settings)).toEqual(['ok', 'key'])
  })

  it('applies the project quota across all keys of a project, and only to that project', async () => {
    const settings = { keyPerMinute: 10, projectPerMinute: 5 }
    expect(await spend(keyOf('a1', '7'), 3, settings)).toEqual(['ok', 'ok', 'ok'])
    expect(await spend(keyOf('a2', '7'), 3, settings)).toEqual(['ok', 'ok', 'project'])
    expect(await spend(keyOf('b1', '8'), 5, settings)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok'])
  })

  it('answers a refusal with Retry-After and X-Sentry-Rate-Limits naming the scope', async () => {
    const project = keyOf('p1', '9')
    await spend(project, 2, { keyPerMinute: 10, projectPerMinute: 2 })
    const refused = await checkRateLimits(cache, project, 1, { keyPerMinute: 10, projectPerMinute: 2 })
    expect(refused).toMatchObject({ allowed: false, scope: 'project' })
    if (refused.allowed) return
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1)
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60)
    expect(refused.headers).toEqual({
      'retry-after': String(refused.retryAfterSeconds),
      'x-sentry-rate-limits': `${refused.retryAfterSeconds}::project:project_rate_limit`,
    })
  })

  it('counts a submission by its events and lets an empty one through', async () => {
    const key = keyOf('c1', '10')
    expect(await checkRateLimits(cache, key, 0, { keyPerMinute: 1, projectPerMinute: 1 })).toEqual({ allowed: true })
    expect((await checkRateLimits(cache, key, 3, { keyPerMinute: 2, projectPerMinute: 0 })).allowed).toBe(false)
    expect((await checkRateLimits(cache, key, 2, { keyPerMinute: 2, projectPerMinute: 0 })).allowed).toBe(true)
  })
})
