import { describe, expect, it } from 'vitest'
import { createPrng } from '../shared/prng'
import { TransitionNovelty, type NoveltyOptions } from './transition-novelty'

function novelties(values: readonly number[], options: Partial<NoveltyOptions> = {}, gaps: ReadonlySet<number> = new Set()): number[] {
  const novelty = new TransitionNovelty(options)
  return values.map((v, i) => novelty.push(v, i > 0 && !gaps.has(i)))
}

const noise = (n: number, seed: number): number[] => {
  const r = createPrng(seed)
  return Array.from({ length: n }, (_, i) => 50 + 10 * Math.sin(i / 30) + 3 * r.normal())
}

describe('TransitionNovelty', () => {
  it('is causal: a point is scored from earlier points only', () => {
    const values = noise(3000, 1)
    const changed = [...values.slice(0, 2000), ...values.slice(2000).map((v) => v * 7 - 400)]
    const a = novelties(values)
    const b = novelties(changed)
    expect(b.slice(0, 2000)).toEqual(a.slice(0, 2000))
    expect(b.slice(2000)).not.toEqual(a.slice(2000))
  })

  it('is scale-free: the same novelty for any unit and offset', () => {
    const values = noise(3000, 2)
    const unit = novelties(values)
    expect(unit.some((x) => x > 0)).toBe(true)
    for (const [factor, offset] of [[1e-6, 0], [1e6, 3e9], [0.01, -5]] as const) {
      expect(novelties(values.map((v) => v * factor + offset))).toEqual(unit)
    }
  })

  it('is deterministic', () => {
    const values = noise(2000, 3)
    expect(novelties(values)).toEqual(novelties(values))
  })

  it('counts moves never made before among the last window points, after the warm-up', () => {
    const options = { levels: 4, windowPoints: 4, warmupPoints: 10 }
    // Alternating between the bottom and the top of the range: two moves, learned at once.
    const alternating = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 0 : 10))
    const settled = novelties(alternating, options)
    expect(settled.slice(12)).toEqual(new Array(28).fill(0))
    // Then to the middle of the range: top → middle, middle → bottom and bottom → middle are
    // new, middle → bottom again is not; the share falls as the known moves fill the window.
    const out = novelties([...alternating, 5, 0, 5, 0, 10, 0, 10, 0], options)
    expect(out.slice(40)).toEqual([0.25, 0.5, 0.75, 0.75, 0.5, 0.25, 0, 0])
  })

  it('is silent while learning: every move is new at first', () => {
    const values = noise(500, 4)
    const out = novelties(values, { warmupPoints: 300 })
    expect(out.slice(0, 301)).toEqual(new Array(301).fill(0))
    expect(novelties(values, { warmupPoints: 0 }).slice(0, 50).some((x) => x > 0)).toBe(true)
  })

  it('counts no move across a gap, and a value beyond the warm-up range is a level of its own', () => {
    const options = { levels: 4, windowPoints: 1, warmupPoints: 0 }
    const alternating = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 0 : 10))
    expect(novelties([...alternating, 5], options, new Set([20])).at(-1)).toBe(0)
    expect(novelties([...alternating, 5], options).at(-1)).toBe(1)
    // 16 lies beyond the range: the moves to it and back are new, 10 → 0 is not.
    expect(novelties([...alternating, 16, 10, 0], options).slice(-3)).toEqual([1, 1, 0])
  })

  it('keeps its grid after the warm-up: a new extreme does not make the moves learned before new', () => {
    const options = { levels: 4, windowPoints: 1, warmupPoints: 10 }
    const alternating = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 0 : 10))
    const out = novelties([...alternating, 1000, ...alternating], options)
    // To the extreme and back are new moves; 0 → 10 and 10 → 0 stay known.
    expect(out.slice(20, 22)).toEqual([1, 1])
    expect(out.slice(22)).toEqual(new Array(19).fill(0))
  })
})
