import { linearRegression, median, medianSorted } from 'simple-statistics'

/** Column order of every feature row; the anomaly model is trained on exactly this order. */
export const anomalyFeatureNames = [
  'robust_z',
  'ewma_z',
  'rate_of_change',
  'level_shift',
  'trend',
  'day_seasonal_z',
  'has_day',
  'week_seasonal_z',
  'has_week',
  'log_level',
  'persistence',
] as const
export type AnomalyFeatureName = (typeof anomalyFeatureNames)[number]
export const anomalyFeatureCount = anomalyFeatureNames.length

export interface FeatureOptions {
  /** Trailing points for the rolling median and MAD. */
  window: number
  ewmaAlpha: number
  /** Points per day and per week (per-minute rollups: 1440 and 10080). */
  dayPeriod: number
  weekPeriod: number
  recentPoints: number
  trendPoints: number
}

export const defaultFeatureOptions: FeatureOptions = {
  window: 60,
  ewmaAlpha: 0.1,
  dayPeriod: 1440,
  weekPeriod: 10080,
  recentPoints: 5,
  trendPoints: 30,
}

// Signed log: keeps the sign and order of z-scores while taming values in the hundreds.
const slog = (x: number): number => Math.sign(x) * Math.log1p(Math.abs(x))
const madToSigma = 1.4826

/** Poisson noise floor: at low counts a MAD of 0 must not make every event look infinite. */
function noiseScale(level: number, mad: number): number {
  return Math.sqrt(Math.max(level, 0) + 1 + (madToSigma * mad) ** 2)
}

function seasonalReference(values: ArrayLike<number>, index: number): number {
  const out: number[] = []
  for (let j = index - 2; j <= index + 2; j++) if (j >= 0) out.push(values[j]!)
  return median(out)
}

interface Baseline {
  med: number
  mad: number
  ewma: number
  ewmVar: number
}

function writeRow(values: ArrayLike<number>, i: number, base: Baseline, options: FeatureOptions, out: Float32Array, offset: number): void {
  const x = values[i]!
  const scale = noiseScale(base.med, base.mad)
  const robustZ = (x - base.med) / scale
  const ewmaZ = (x - base.ewma) / Math.sqrt(base.ewmVar + Math.max(base.ewma, 0) + 1)
  const previous = i > 0 ? values[i - 1]! : x
  let recentSum = 0
  let recentCount = 0
  let persistent = 0
  for (let j = Math.max(0, i - options.recentPoints + 1); j <= i; j++) {
    recentSum += values[j]!
    recentCount++
    if ((values[j]! - base.med) / scale > 3) persistent++
  }
  const trendFrom = Math.max(0, i - options.trendPoints + 1)
  let slope = 0
  if (i - trendFrom >= 4) {
    const points: Array<[number, number]> = []
    for (let j = trendFrom; j <= i; j++) points.push([j - trendFrom, values[j]!])
    slope = linearRegression(points).m
  }
  const day = i >= options.dayPeriod + 2
  const week = i >= options.weekPeriod + 2
  const dayRef = day ? seasonalReference(values, i - options.dayPeriod) : 0
  const weekRef = week ? seasonalReference(values, i - options.weekPeriod) : 0
  out[offset] = slog(robustZ)
  out[offset + 1] = slog(ewmaZ)
  out[offset + 2] = slog((x - previous) / scale)
  out[offset + 3] = slog((recentSum / recentCount - base.med) / scale)
  out[offset + 4] = slog((slope * options.trendPoints) / scale)
  out[offset + 5] = day ? slog((x - dayRef) / noiseScale(dayRef, base.mad)) : 0
  out[offset + 6] = day ? 1 : 0
  out[offset + 7] = week ? slog((x - weekRef) / noiseScale(weekRef, base.mad)) : 0
  out[offset + 8] = week ? 1 : 0
  out[offset + 9] = Math.log1p(Math.max(base.med, 0))
  out[offset + 10] = persistent / options.recentPoints
}

/**
 * Feature rows for every point of a per-minute count series, row-major [n, F]. Each row looks
 * only at the past (the baseline excludes the point itself), so a row is what a live scorer
 * would have seen at that minute.
 */
export function seriesFeatures(values: ArrayLike<number>, options: Partial<FeatureOptions> = {}): Float32Array {
  const o = { ...defaultFeatureOptions, ...options }
  const n = values.length
  const out = new Float32Array(n * anomalyFeatureCount)
  const sorted: number[] = []
  const deviations: number[] = []
  let ewma = n > 0 ? values[0]! : 0
  let ewmVar = 0
  for (let i = 0; i < n; i++) {
    const med = sorted.length > 0 ? medianSorted(sorted) : values[i]!
    deviations.length = 0
    for (const v of sorted) deviations.push(Math.abs(v - med))
    const mad = deviations.length > 0 ? median(deviations) : 0
    writeRow(values, i, { med, mad, ewma, ewmVar }, o, out, i * anomalyFeatureCount)
    const x = values[i]!
    const diff = x - ewma
    ewma += o.ewmaAlpha * diff
    ewmVar = (1 - o.ewmaAlpha) * (ewmVar + o.ewmaAlpha * diff * diff)
    insertSorted(sorted, x)
    if (i >= o.window) removeSorted(sorted, values[i - o.window]!)
  }
  return out
}

// EWMA weights decay as (1 - alpha)^k: after this many points the start value is invisible.
const ewmaWarmup = 200

/** The feature row of the last point only: what a once-a-minute scorer computes per series. */
export function latestFeatures(values: ArrayLike<number>, options: Partial<FeatureOptions> = {}, out = new Float32Array(anomalyFeatureCount), offset = 0): Float32Array {
  const o = { ...defaultFeatureOptions, ...options }
  const i = values.length - 1
  if (i < 0) return out
  const windowValues: number[] = []
  for (let j = Math.max(0, i - o.window); j < i; j++) windowValues.push(values[j]!)
  const med = windowValues.length > 0 ? median(windowValues) : values[i]!
  const mad = windowValues.length > 0 ? median(windowValues.map((v) => Math.abs(v - med))) : 0
  const start = Math.max(0, i - ewmaWarmup)
  let ewma = values[start]!
  let ewmVar = 0
  for (let j = start; j < i; j++) {
    const diff = values[j]! - ewma
    ewma += o.ewmaAlpha * diff
    ewmVar = (1 - o.ewmaAlpha) * (ewmVar + o.ewmaAlpha * diff * diff)
  }
  writeRow(values, i, { med, mad, ewma, ewmVar }, o, out, offset)
  return out
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

function insertSorted(sorted: number[], value: number): void {
  sorted.splice(lowerBound(sorted, value), 0, value)
}

function removeSorted(sorted: number[], value: number): void {
  const index = lowerBound(sorted, value)
  if (sorted[index] === value) sorted.splice(index, 1)
}
