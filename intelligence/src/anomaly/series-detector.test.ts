import { beforeAll, describe, expect, it } from 'vitest'
import { createPrng } from '../shared/prng'
import { readFile } from 'node:fs/promises'
import { loadModelFromBytes } from '../onnx'
import { defaultModelPaths } from '../shared/model-paths'
import { AnomalyDrivers, Seasonalities, SeriesDetector, SeriesScorer, defaultNoveltyWeight, buildCombinerModel, loadAnomalyCombiner, onnxCombiner, type CombinerWeights, probabilityOf, scoreSeries, scoreThreshold, type AnomalyCombiner, type ScorerOptions, type ScoredPoint } from './index'

const minuteMs = 60_000
const hourMs = 60 * minuteMs
const dayMs = 24 * hourMs
const start = Date.UTC(2025, 0, 6)

// The shipped combiner (models/anomaly.onnx): these tests hold the model the product runs.
let combiner: AnomalyCombiner
let shippedWeights: CombinerWeights
beforeAll(async () => {
  combiner = await loadAnomalyCombiner()
  shippedWeights = JSON.parse(await readFile(defaultModelPaths.manifest, 'utf8')).models.anomaly
})

function run(times: ArrayLike<number>, values: ArrayLike<number>, options: Partial<ScorerOptions> = {}): Promise<ScoredPoint[]> {
  return new SeriesScorer(combiner, options).push(Array.from({ length: values.length }, (_, i) => ({ t: times[i]!, v: values[i]! })))
}

const everyMinute = (n: number, step = minuteMs): number[] => Array.from({ length: n }, (_, i) => start + i * step)

/** Share of points (after warm-up) whose probability is at most `alpha`. */
function alarmShare(points: ScoredPoint[], alpha: number): number {
  const scored = points.slice(200)
  return scored.filter((p) => p.p <= alpha).length / scored.length
}

describe('SeriesDetector and SeriesScorer', () => {
  it('scores the same on any scale: rates below 1, counts, bytes', async () => {
    const r = createPrng(1)
    const base = Array.from({ length: 2000 }, (_, i) => 5 + r.normal() + (i === 1500 ? 12 : 0))
    const times = everyMinute(base.length)
    const unit = (await run(times, base)).map((p) => p.score)
    for (const factor of [1e-6, 1e-3, 1e6]) {
      const scaled = (await run(times, base.map((v) => v * factor))).map((p) => p.score)
      scaled.forEach((score, i) => expect(score).toBeCloseTo(unit[i]!, 6))
    }
    expect(unit[1500]!).toBeGreaterThan(scoreThreshold('low'))
  })

  it('is calibrated on noise: about a share alpha of points reach probability alpha, bursty or not', async () => {
    const r = createPrng(2)
    const n = 20_000
    const times = everyMinute(n)
    const shapes = {
      gaussian: () => 50 + 5 * r.normal(),
      poisson: () => r.poisson(3),
      bursty: () => Math.exp(2 * r.normal()),
    }
    for (const [name, draw] of Object.entries(shapes)) {
      const points = await run(times, Array.from({ length: n }, draw))
      for (const alpha of [1e-2, 1e-3]) {
        const share = alarmShare(points, alpha)
        expect(share, `${name} at ${alpha}`).toBeLessThan(alpha * 3)
        expect(share, `${name} at ${alpha}`).toBeGreaterThan(alpha / 10)
      }
      // Not saturated: the bulk of a bursty series is far from every threshold.
      const medium = points.slice(200).filter((p) => p.score >= scoreThreshold('medium')).length
      expect(medium, name).toBeLessThanOrEqual(n * 1e-3)
    }
  })

  it('is not silent on small or sparse values', async () => {
    const r = createPrng(3)
    const tiny = Array.from({ length: 1500 }, (_, i) => 2e-7 + 1e-8 * r.normal() + (i === 1200 ? 2e-7 : 0))
    expect((await run(everyMinute(tiny.length), tiny))[1200]!.score).toBeGreaterThan(scoreThreshold('medium'))
    // An error that shows up once in twenty minutes, then eight in one minute.
    const sparse = Array.from({ length: 1500 }, (_, i) => (i === 1400 ? 8 : r.chance(0.05) ? 1 : 0))
    const points = await run(everyMinute(sparse.length), sparse)
    expect(points[1400]!.score).toBeGreaterThan(scoreThreshold('medium'))
    expect(points.slice(200, 1400).filter((p) => p.score > scoreThreshold('medium'))).toHaveLength(0)
  })

  it('honours timestamps: jitter and gaps are no anomaly, a level after a gap is', async () => {
    const r = createPrng(4)
    const times: number[] = []
    const values: number[] = []
    for (let t = start, i = 0; i < 3000; i++) {
      // Irregular spacing, and six hours missing in the middle.
      t += minuteMs * (0.5 + r.next()) + (i === 1500 ? 6 * hourMs : 0)
      times.push(Math.round(t))
      values.push(100 + 3 * r.normal())
    }
    const points = await run(times, values)
    expect(points.slice(200).filter((p) => p.score >= scoreThreshold('medium'))).toHaveLength(0)
    const scorer = new SeriesScorer(combiner)
    await scorer.push(times.slice(0, 1500).map((t, i) => ({ t, v: values[i]! })))
    expect(scorer.intervalMs).toBeGreaterThan(0.8 * minuteMs)
    expect(scorer.intervalMs).toBeLessThan(1.2 * minuteMs)
    expect((await scorer.push([{ t: times[1500]!, v: 140 }]))[0]!.score).toBeGreaterThan(scoreThreshold('medium'))
  })

  it('finds daily, weekly or no seasonality by time, whatever the interval', async () => {
    const r = createPrng(5)
    const cases = [
      { step: 5 * minuteMs, days: 5, shape: (t: number) => (((t - start) % dayMs) < dayMs / 2 ? 80 : 20), expected: Seasonalities.daily },
      { step: hourMs, days: 6, shape: (t: number) => 50 + 30 * Math.sin((2 * Math.PI * t) / dayMs), expected: Seasonalities.daily },
      { step: hourMs, days: 28, shape: (t: number) => (Math.floor((t - start) / dayMs) % 7 >= 5 ? 10 : 60), expected: Seasonalities.weekly },
      { step: minuteMs, days: 4, shape: () => 40, expected: Seasonalities.none },
    ]
    for (const { step, days, shape, expected } of cases) {
      const detector = new SeriesDetector()
      for (let t = start; t < start + days * dayMs; t += step) detector.push(t, shape(t) * (1 + 0.05 * r.normal()))
      expect(detector.seasonality, `${expected} every ${step / minuteMs} min`).toBe(expected)
    }
  })

  it('expects a nightly job once the season is known, and flags one at an unusual hour', async () => {
    const r = createPrng(6)
    const times = everyMinute(6 * 288, 5 * minuteMs)
    // A spike each night at about 03:30 (±15 min), and one at 14:00 on the last day.
    const spikeAt = new Set(Array.from({ length: 6 }, (_, d) => Math.round((d * dayMs + 3.5 * hourMs + (r.next() - 0.5) * 30 * minuteMs) / (5 * minuteMs))))
    const unusual = 5 * 288 + 14 * 12
    const values = times.map((_, i) => 0.1 + 0.01 * r.normal() + (spikeAt.has(i) || i === unusual ? 1.4 : 0))
    const points = await run(times, values)
    const nightly = [...spikeAt].filter((i) => i > 4 * 288)
    expect(points[unusual]!.seasonality).toBe(Seasonalities.daily)
    for (const i of nightly) expect(points[i]!.score, `night spike ${i}`).toBeLessThan(scoreThreshold('low'))
    expect(points[unusual]!.score).toBeGreaterThan(scoreThreshold('medium'))
  })

  it('catches a small lasting shift that no single point shows (the slow shift statistic)', async () => {
    const times = everyMinute(3000)
    const first = async (options: Partial<ScorerOptions>): Promise<number> => {
      const r = createPrng(9)
      const points = await run(times, times.map((_, i) => 50 + 5 * r.normal() + (i >= 2500 ? 5 : 0)), options)
      return points.findIndex((p, i) => i >= 200 && p.score >= scoreThreshold('medium'))
    }
    const found = await first({})
    expect(found).toBeGreaterThanOrEqual(2500)
    expect(found).toBeLessThan(2650)
    expect(await first({ slowShiftPoints: 0 })).toBe(-1)
  })

  it('marks where an incident starts (onset), not each of its points', async () => {
    const r = createPrng(10)
    const times = everyMinute(1000)
    const points = await run(times, times.map((_, i) => r.poisson(30) + (i >= 700 && i < 730 ? 150 : 0)))
    const medium = scoreThreshold('medium')
    expect(points.filter((p) => p.score >= medium).length).toBeGreaterThan(3)
    expect(points.flatMap((p, i) => (p.onset >= medium ? [i] : []))).toEqual([700])
    for (const p of points) expect(p.onset === 0 || p.onset === p.score).toBe(true)
  })

  it('marks a growing incident once: no new onset within the refractory points after an alarming one', async () => {
    const r = createPrng(13)
    const times = everyMinute(1000)
    // A ramp: each point tops the last, so without the refractory period every one is an onset.
    const values = times.map((_, i) => r.poisson(30) + (i >= 700 && i < 720 ? 20 * (i - 699) : 0))
    const high = scoreThreshold('high')
    const onsets = (points: ScoredPoint[]): number[] => points.flatMap((p, i) => (i >= 690 && p.onset >= high ? [i] : []))
    const shaped = onsets(await run(times, values))
    expect(shaped).toHaveLength(1)
    expect(shaped[0]!).toBeGreaterThanOrEqual(700)
    expect(shaped[0]!).toBeLessThan(705)
    expect(onsets(await run(times, values, { refractoryPoints: 0 })).length).toBeGreaterThan(2)
    // After the refractory points, a new incident is marked again.
    const twice = values.map((v, i) => v + (i >= 900 && i < 903 ? 2000 : 0))
    expect(onsets(await run(times, twice)).filter((i) => i >= 900)).toEqual([900])
  })

  it('flags a series that starts making moves it never made, though each point is near a prediction (contextual novelty)', async () => {
    const r = createPrng(13)
    // Noise, then a zigzag across the same range: no point is far from what noise showed, but
    // the jumps between the range's edges were never made.
    const values = Array.from({ length: 2400 }, (_, i) => (i < 2000 ? 50 + 5 * r.normal() : i % 2 === 0 ? 38 + (i % 7) : 62 - (i % 5)))
    const times = everyMinute(values.length)
    const withNovelty = await run(times, values)
    const without = await run(times, values, { noveltyWeight: 0 })
    const high = scoreThreshold('high')
    expect(Math.max(...without.slice(2000, 2100).map((p) => p.score))).toBeLessThan(high)
    expect(withNovelty.slice(2000, 2100).some((p) => p.onset >= high)).toBe(true)
    // On the noise, the moves are learned: novelty alone never reaches an alarm.
    expect(Math.max(...withNovelty.slice(0, 2000).map((p) => defaultNoveltyWeight * p.novelty))).toBeLessThan(high)
    withNovelty.forEach((p, i) => expect(p.score).toBeCloseTo(Math.max(without[i]!.score, p.scored ? defaultNoveltyWeight * p.novelty : 0), 12))
    // A score that novelty raised says so, with the share of new moves as its distance.
    const raised = withNovelty.filter((p, i) => p.score > without[i]!.score)
    expect(raised.length).toBeGreaterThan(0)
    for (const p of raised) expect([p.driver, p.distances.novelty]).toEqual([AnomalyDrivers.novelty, p.novelty])
    withNovelty.forEach((p, i) => {
      if (p.score === without[i]!.score) expect(p.driver).toBe(without[i]!.driver)
    })
  })

  it('is causal: a point is scored from earlier points only', async () => {
    const r = createPrng(7)
    // A growing incident just before the cut: its refractory period reaches past it.
    const values = Array.from({ length: 1200 }, (_, i) => r.poisson(10) + (i >= 780 && i < 800 ? 10 * (i - 779) : 0))
    const times = everyMinute(values.length)
    const full = await run(times, values)
    expect(full.slice(780, 800).some((p) => p.onset >= scoreThreshold('high'))).toBe(true)
    const changedFuture = [...values.slice(0, 800), ...values.slice(800).map((v) => v * 10)]
    const other = await run(times, changedFuture)
    for (let i = 0; i < 800; i++) expect(other[i]).toEqual(full[i])
  })

  it('scores a whole series as the points pushed one by one, with windows at a sensitivity', async () => {
    const r = createPrng(8)
    const points = Array.from({ length: 800 }, (_, i) => ({ t: start + i * minuteMs, v: r.poisson(30) + (i >= 700 && i < 703 ? 150 : 0) }))
    const scored = await scoreSeries(points, combiner, 'medium')
    expect(Array.from(scored.scores)).toEqual((await run(points.map((p) => p.t), points.map((p) => p.v))).map((p) => p.score))
    expect(scored.windows.map((w) => w.start)).toEqual([700])
    expect(probabilityOf(scoreThreshold('medium'))).toBeCloseTo(1e-4, 10)
    expect(scored.version).toBe(`stream-4+${combiner.version}`)
  })

  it('scores a series fed in chunks (the live job, a minute a run) as the whole series at once (a backtest)', async () => {
    const r = createPrng(11)
    const points = Array.from({ length: 900 }, (_, i) => ({ t: start + i * minuteMs, v: r.poisson(20) + (i >= 800 && i < 805 ? 90 : 0) }))
    const whole = await new SeriesScorer(combiner).push(points)
    const chunked = new SeriesScorer(combiner)
    const parts: Array<Promise<ScoredPoint[]>> = []
    // Chunks of 1 to 7 points, pushed without waiting: the scorer keeps them in order.
    for (let i = 0, k = 1; i < points.length; i += k, k = (k % 7) + 1) parts.push(chunked.push(points.slice(i, i + k)))
    expect((await Promise.all(parts)).flat()).toEqual(whole)
  })

  it('scores through the combiner model: another model gives other scores', async () => {
    const r = createPrng(12)
    const points = Array.from({ length: 600 }, (_, i) => ({ t: start + i * minuteMs, v: r.poisson(20) + (i === 500 ? 120 : 0) }))
    const shipped = await new SeriesScorer(combiner).push(points)
    expect(shipped[500]!.score).toBeGreaterThan(scoreThreshold('medium'))
    // Twice the shipped weights: twice the decades, the square of each probability.
    const doubled = onnxCombiner(await loadModelFromBytes(buildCombinerModel({ weights: shippedWeights.weights.map((w) => 2 * w), bias: 2 * shippedWeights.bias }, 'test-doubled')))
    const other = await new SeriesScorer(doubled).push(points)
    expect(Math.log10(other[500]!.p)).toBeCloseTo(2 * Math.log10(shipped[500]!.p), 3)
    expect(other.map((p) => p.p)).not.toEqual(shipped.map((p) => p.p))
  })
})
