import { describe, expect, it } from 'vitest'
import { backoffDelay } from './backoff'

describe('backoffDelay', () => {
  const options = { initialMs: 100, maxMs: 1000 }
  it('doubles the ceiling per attempt and caps it', () => {
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, options, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000])
  })
  it('jitters between half the ceiling and the ceiling', () => {
    expect(backoffDelay(2, options, () => 0)).toBe(200)
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(3, options)
      expect(d).toBeGreaterThanOrEqual(400)
      expect(d).toBeLessThanOrEqual(800)
    }
  })
})
