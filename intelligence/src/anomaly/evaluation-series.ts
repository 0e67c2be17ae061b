import type { Prng } from '../shared/prng'
import { createPrng } from '../shared/prng'

export const AnomalyKind = { spike: 'spike', levelShift: 'level_shift', trendChange: 'trend_change', seasonalBreak: 'seasonal_break' } as const
export type AnomalyKind = (typeof AnomalyKind)[keyof typeof AnomalyKind]

export interface LabelledWindow {
  kind: AnomalyKind
  /** Inclusive start, exclusive end (point indexes). */
  start: number
  end: number
}

export interface LabelledSeries {
  values: Float64Array
  windows: LabelledWindow[]
  /** Points before this are warm-up history, not scored in evaluations. */
  evaluateFrom: number
}

export interface SeriesSetOptions {
  anomalous: number
  clean: number
  /** Days per series (1440 points a day). */
  days: number
  cleanDays: number
}

const day = 1440

function expectedRate(base: number, amplitude: number, phase: number, weekendDip: number, t: number): number {
  const daily = 1 + amplitude * Math.sin((2 * Math.PI * t) / day + phase)
  const weekday = Math.floor(t / day) % 7
  return base * daily * (weekday >= 5 ? 1 - weekendDip : 1)
}

/** Counts with extra-Poisson noise: real error rates wobble more than a Poisson process. */
function noisyCount(r: Prng, rate: number): number {
  return r.poisson(Math.max(0, rate * Math.exp(0.1 * r.normal())))
}

function makeSeries(r: Prng, days: number, anomalies: number): LabelledSeries {
  const n = days * day
  const base = Math.exp(Math.log(0.5) + r.next() * (Math.log(300) - Math.log(0.5)))
  const amplitude = r.next() * 0.8
  const phase = r.next() * 2 * Math.PI
  const weekendDip = r.chance(0.5) ? r.next() * 0.4 : 0
  const rates = new Float64Array(n)
  for (let t = 0; t < n; t++) rates[t] = expectedRate(base, amplitude, phase, weekendDip, t)
  const windows: LabelledWindow[] = []
  const sigma = (t: number): number => Math.max(1, Math.sqrt(rates[t]!))
  for (let k = 0; k < anomalies; k++) {
    const kind = r.pick(Object.values(AnomalyKind))
    // Anomalies start after the first day so a day-ago baseline exists, spaced apart.
    const slot = Math.floor((n - day - 400) / anomalies)
    const start = day + 200 + k * slot + r.int(0, Math.max(0, slot - 400))
    if (kind === AnomalyKind.spike) {
      const length = r.int(3, 15)
      const lift = r.int(6, 20) * sigma(start)
      for (let t = start; t < start + length; t++) rates[t] = rates[t]! + lift
      windows.push({ kind, start, end: start + length })
    } else if (kind === AnomalyKind.levelShift) {
      const lift = r.int(5, 12) * sigma(start)
      const end = Math.min(n, start + r.int(120, 360))
      for (let t = start; t < end; t++) rates[t] = rates[t]! + lift
      windows.push({ kind, start, end })
    } else if (kind === AnomalyKind.trendChange) {
      const ramp = r.int(60, 150)
      const top = r.int(8, 16) * sigma(start)
      const hold = r.int(60, 200)
      const end = Math.min(n, start + ramp + hold)
      for (let t = start; t < end; t++) rates[t] = rates[t]! + top * Math.min(1, (t - start) / ramp)
      windows.push({ kind, start, end })
    } else {
      // The daily peak level shows up in the trough: normal for the series, not for the hour.
      const length = r.int(60, 180)
      const peak = base * (1 + Math.max(amplitude, 0.5)) + 6 * Math.sqrt(base + 1)
      for (let t = start; t < start + length; t++) rates[t] = Math.max(rates[t]!, peak)
      windows.push({ kind, start, end: start + length })
    }
  }
  const values = new Float64Array(n)
  for (let t = 0; t < n; t++) values[t] = noisyCount(r, rates[t]!)
  // Only windows that really stand out count as anomalies: a seasonal break at the daily peak
  // changes nothing, and labelling it would reward noise.
  const visible = windows.filter((w) => {
    let excess = 0
    for (let t = w.start; t < w.end; t++) excess += rates[t]! - expectedRate(base, amplitude, phase, weekendDip, t)
    return excess / (w.end - w.start) >= 3 * sigma(w.start)
  })
  return { values, windows: visible, evaluateFrom: day }
}

/** A labelled set: anomalous series with one to three windows each, and clean series. */
export function generateAnomalySet(seed: number, options: Partial<SeriesSetOptions> = {}): { anomalous: LabelledSeries[]; clean: LabelledSeries[] } {
  const o: SeriesSetOptions = { anomalous: 60, clean: 20, days: 4, cleanDays: 8, ...options }
  const r = createPrng(seed)
  const anomalous = Array.from({ length: o.anomalous }, () => makeSeries(r, o.days, r.int(1, 3)))
  const clean = Array.from({ length: o.clean }, () => makeSeries(r, o.cleanDays, 0))
  return { anomalous, clean }
}
