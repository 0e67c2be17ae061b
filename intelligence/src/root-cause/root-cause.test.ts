import { describe, expect, it } from 'vitest'
import { coSpikingIssues, normalUpperTail, overRepresentedTags, suspectRelease, twoProportionZTest } from './index'

describe('statistics', () => {
  it('gives normal tail probabilities and proportion tests', () => {
    expect(normalUpperTail(1.96)).toBeCloseTo(0.025, 4)
    expect(normalUpperTail(6)).toBeLessThan(1e-8)
    expect(twoProportionZTest(50, 100, 10, 100).pValue).toBeLessThan(1e-6)
    expect(twoProportionZTest(10, 100, 10, 100).z).toBe(0)
  })
})

describe('root-cause hints', () => {
  it('names the release an issue first appeared in', () => {
    const hint = suspectRelease([
      { release: '1.0.0', firstSeen: 1, issueEvents: 0, projectEvents: 5000 },
      { release: '1.1.0', firstSeen: 2, issueEvents: 120, projectEvents: 5000 },
      { release: '1.2.0', firstSeen: 3, issueEvents: 130, projectEvents: 5000 },
    ])
    expect(hint).toMatchObject({ release: '1.1.0', reason: 'first_seen' })
  })

  it('names the release where the rate jumped, and none when it did not', () => {
    const releases = [
      { release: 'a', firstSeen: 1, issueEvents: 10, projectEvents: 10000 },
      { release: 'b', firstSeen: 2, issueEvents: 12, projectEvents: 10000 },
      { release: 'c', firstSeen: 3, issueEvents: 90, projectEvents: 10000 },
    ]
    expect(suspectRelease(releases)).toMatchObject({ release: 'c', reason: 'rate_jump' })
    expect(suspectRelease(releases.slice(0, 2))).toBeUndefined()
  })

  it('finds over-represented tag values with Bonferroni-corrected p-values', () => {
    const hints = overRepresentedTags(
      { browser: { Safari: 80, Chrome: 20 }, region: { eu: 50, us: 50 } }, 100,
      { browser: { Safari: 1000, Chrome: 9000 }, region: { eu: 5000, us: 5000 } }, 10000,
    )
    expect(hints.map((h) => `${h.key}=${h.value}`)).toEqual(['browser=Safari'])
    expect(hints[0]!.lift).toBeCloseTo(8)
    expect(hints[0]!.adjustedPValue).toBeLessThan(1e-6)
  })

  it('finds issues whose spikes start together', () => {
    const flat = (start?: number): number[] => Array.from({ length: 200 }, (_, i) => 5 + (i % 3) + (start !== undefined && i >= start ? 60 : 0))
    const found = coSpikingIssues(flat(150), [{ id: 'same', values: flat(152) }, { id: 'later', values: flat(180) }, { id: 'none', values: flat() }])
    expect(found.map((f) => f.id)).toEqual(['same'])
    expect(found[0]!.lag).toBe(2)
  })
})
