/**
 * Labelled series for evaluating the detector on data nobody had to find: counts, percentages,
 * latencies, bytes and rates below 1, at intervals from a minute to an hour with jitter and
 * gaps, daily, weekly or no seasonality, and spikes, level shifts, trend changes and seasonal
 * breaks that stand out from the series' own noise.
 */
import type { Prng } from '../shared/prng'
import { createPrng } from '../shared/prng'

export const AnomalyKind = { spike: 'spike', levelShift: 'level_shift', trendChange: 'trend_change', seasonalBreak: 'seasonal_break' } as const
export type AnomalyKind = (typeof AnomalyKind)[keyof typeof AnomalyKind]

export const SeriesScales = { counts: 'counts', percent: 'percent', latency: 'latency', bytes: 'bytes', rate: 'rate' } as const
export type SeriesScale = (typeof SeriesScales)[keyof typeof SeriesScales]

export interface LabelledWindow {
  kind: AnomalyKind
  /** Inclusive start, exclusive end (point indexes). */
  start: number
  end: number
}

export interface LabelledSeries {
  /** Epoch ms, increasing (irregular where the series has jitter or gaps). */
  times: Float64Array
  values: Float64Array
  windows: LabelledWindow[]
  /** Points before this are warm-up history, not scored in evaluations. */
  evaluateFrom: number
  scale: SeriesScale
  seasonality: 'none' | 'daily' | 'weekly'
  intervalMs: number
}

export interface SeriesSetOptions {
  anomalous: number
  clean: number
  days: number
  cleanDays: number
}

const dayMs = 86_400_000
const intervals = [60_000, 60_000, 300_000, 300_000, 900_000, 3_600_000]

/** The expected value at time `t` on a unit scale (about 1), with the series' seasonality. */
function shape(seasonality: LabelledSeries['seasonality'], amplitude: number, phase: number, t: number): number {
  if (seasonality === 'none') return 1
  const daily = 1 + amplitude * Math.sin((2 * Math.PI * t) / dayMs + phase)
  if (seasonality === 'daily') return daily
  const weekday = Math.floor(t / dayMs) % 7
  return daily * (weekday >= 5 ? 0.4 : 1)
}

/** A value of the scale around `expected` (which is about 1 on a unit scale). */
function observe(r: Prng, scale: SeriesScale, base: number, expected: number): number {
  const level = Math.max(0, base * expected)
  switch (scale) {
    case 'counts':
      return r.poisson(level * Math.exp(0.1 * r.normal()))
    case 'percent':
      return Math.min(100, Math.max(0, level + 0.08 * level * r.normal()))
    case 'latency':
      return level * Math.exp(0.25 * r.normal())
    case 'bytes':
      return Math.round(level * Math.exp(0.3 * r.normal()))
    case 'rate':
      return Math.max(0, level * (1 + 0.15 * r.normal()))
  }
}

const bases: Record<SeriesScale, (r: Prng) => number> = {
  counts: (r) => Math.exp(Math.log(0.5) + r.next() * Math.log(600)),
  percent: (r) => 10 + 50 * r.next(),
  latency: (r) => 20 + 500 * r.next(),
  bytes: (r) => 1e5 * 10 ** (3 * r.next()),
  rate: (r) => 0.001 + 0.2 * r.next(),
}

function makeSeries(r: Prng, days: number, anomalies: number): LabelledSeries {
  const scale = r.pick(Object.values(SeriesScales))
  const seasonality = r.pick(['none', 'daily', 'weekly'] as const)
  const intervalMs = r.pick(intervals)
  const base = bases[scale](r)
  const amplitude = 0.3 + 0.5 * r.next()
  const phase = r.next() * 2 * Math.PI
  const jitter = r.chance(0.3) ? 0.3 : 0
  const start = Date.UTC(2025, 0, 6)
  const times: number[] = []
  // Weekly seasonality needs two weeks before it shows; those series get them as history.
  const span = seasonality === 'weekly' ? days + 14 : days
  for (let t = start; t < start + span * dayMs; t += intervalMs * (1 + jitter * (r.next() - 0.5))) {
    // One series in five loses a few stretches of points (an agent down, a scrape missed).
    if (times.length > 0 && r.chance(0.0005)) t += r.int(5, 60) * intervalMs
    times.push(Math.round(t))
  }
  const n = times.length
  const expected = times.map((t) => shape(seasonality, amplitude, phase, t))
  const windows: LabelledWindow[] = []
  const history = times.findIndex((t) => t >= start + (span - days + Math.min(days - 1, 4)) * dayMs)
  const from = Math.max(1, history)
  const slot = Math.floor((n - from) / Math.max(1, anomalies))
  const noise = scale === 'counts' ? (e: number) => Math.sqrt(Math.max(1, base * e)) / base : () => 0.3
  for (let k = 0; k < anomalies && slot > 40; k++) {
    const kind = r.pick(Object.values(AnomalyKind))
    const at = from + k * slot + r.int(10, slot - 30)
    const lift = (e: number) => (6 + 6 * r.next()) * Math.max(noise(e), 0.25 * e)
    if (kind === AnomalyKind.spike) {
      const length = r.int(1, 4)
      const add = lift(expected[at]!)
      for (let i = at; i < Math.min(n, at + length); i++) expected[i]! += add
      windows.push({ kind, start: at, end: at + length })
    } else if (kind === AnomalyKind.levelShift) {
      const add = lift(expected[at]!) * (r.chance(0.3) ? -0.5 : 1)
      const end = Math.min(n, at + r.int(20, 60))
      for (let i = at; i < end; i++) expected[i] = Math.max(0, expected[i]! + add)
      windows.push({ kind, start: at, end })
    } else if (kind === AnomalyKind.trendChange) {
      const ramp = r.int(10, 30)
      const top = lift(expected[at]!) * 1.5
      const end = Math.min(n, at + ramp + 20)
      for (let i = at; i < end; i++) expected[i]! += top * Math.min(1, (i - at) / ramp)
      windows.push({ kind, start: at, end })
    } else {
      // The trough takes the peak's value: normal for the series, not for the hour.
      const length = r.int(10, 30)
      for (let i = at; i < Math.min(n, at + length); i++) expected[i] = 1 + amplitude + 6 * noise(1)
      windows.push({ kind, start: at, end: at + length })
    }
  }
  const values = Float64Array.from(expected, (e) => observe(r, scale, base, e))
  return { times: Float64Array.from(times), values, windows, evaluateFrom: from, scale, seasonality, intervalMs }
}

/** A labelled set: anomalous series with one to three windows each, and clean series. */
export function generateAnomalySet(seed: number, options: Partial<SeriesSetOptions> = {}): { anomalous: LabelledSeries[]; clean: LabelledSeries[] } {
  const o: SeriesSetOptions = { anomalous: 60, clean: 20, days: 8, cleanDays: 8, ...options }
  const r = createPrng(seed)
  const anomalous = Array.from({ length: o.anomalous }, () => makeSeries(r, o.days, r.int(1, 3)))
  const clean = Array.from({ length: o.clean }, () => makeSeries(r, o.cleanDays, 0))
  return { anomalous, clean }
}
