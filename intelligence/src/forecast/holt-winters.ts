export interface ForecastOptions {
  /** Points per season (1440 for a daily cycle of per-minute counts); 0 = no seasonality. */
  seasonLength: number
  horizon: number
  /** Smoothing parameters; any left out are fitted by grid search on one-step errors. */
  alpha?: number
  beta?: number
  gamma?: number
  /** z of the interval: 1.96 ≈ 95 %. */
  intervalZ?: number
}

export interface ForecastPoint {
  step: number
  value: number
  lower: number
  upper: number
}

export interface Forecast {
  points: ForecastPoint[]
  params: { alpha: number; beta: number; gamma: number; seasonal: boolean }
  residualStd: number
}

interface Fit {
  sse: number
  level: number
  trend: number
  seasonal: Float64Array
  n: number
}

function fit(values: ArrayLike<number>, m: number, alpha: number, beta: number, gamma: number): Fit {
  const n = values.length
  const seasonal = new Float64Array(Math.max(m, 1))
  let level: number
  let trend: number
  let start: number
  if (m > 0) {
    let first = 0
    let second = 0
    for (let i = 0; i < m; i++) {
      first += values[i]!
      second += values[m + i]!
    }
    const mean = first / m
    trend = (second / m - first / m) / m
    // Season offsets net of the trend inside the first season; the level is then moved to
    // the season's last point, where the recursion continues.
    for (let i = 0; i < m; i++) seasonal[i] = values[i]! - (mean + (i - (m - 1) / 2) * trend)
    level = mean + ((m - 1) / 2) * trend
    start = m
  } else {
    level = values[0]!
    trend = n > 1 ? values[1]! - values[0]! : 0
    start = 1
  }
  let sse = 0
  for (let t = start; t < n; t++) {
    const s = m > 0 ? seasonal[t % m]! : 0
    const x = values[t]!
    const error = x - (level + trend + s)
    sse += error * error
    const previous = level
    level = alpha * (x - s) + (1 - alpha) * (level + trend)
    trend = beta * (level - previous) + (1 - beta) * trend
    if (m > 0) seasonal[t % m] = gamma * (x - level) + (1 - gamma) * s
  }
  return { sse: sse / Math.max(1, n - start), level, trend, seasonal, n }
}

const alphas = [0.05, 0.2, 0.5, 0.8]
const betas = [0.01, 0.05, 0.2]
const gammas = [0.05, 0.2, 0.5]

/**
 * Additive Holt-Winters (trend + season) with a widening prediction interval. With fewer than
 * two full seasons it falls back to Holt's linear trend.
 */
export function holtWintersForecast(values: ArrayLike<number>, options: ForecastOptions): Forecast {
  if (values.length < 3) throw new RangeError('a forecast needs at least 3 points')
  const m = options.seasonLength > 0 && values.length >= 2 * options.seasonLength ? options.seasonLength : 0
  let best: { fit: Fit; alpha: number; beta: number; gamma: number } | undefined
  for (const alpha of options.alpha === undefined ? alphas : [options.alpha]) {
    for (const beta of options.beta === undefined ? betas : [options.beta]) {
      for (const gamma of m === 0 ? [0] : options.gamma === undefined ? gammas : [options.gamma]) {
        const result = fit(values, m, alpha, beta, gamma)
        if (!best || result.sse < best.fit.sse) best = { fit: result, alpha, beta, gamma }
      }
    }
  }
  const { fit: f, alpha, beta, gamma } = best!
  const sigma = Math.sqrt(f.sse)
  const z = options.intervalZ ?? 1.96
  const points: ForecastPoint[] = []
  let variance = 0
  for (let h = 1; h <= options.horizon; h++) {
    // Forecast error variance of additive Holt: each step adds (alpha (1 + j beta))² sigma².
    variance += h === 1 ? 1 : (alpha * (1 + (h - 1) * beta)) ** 2
    const value = f.level + h * f.trend + (m > 0 ? f.seasonal[(f.n + h - 1) % m]! : 0)
    const half = z * sigma * Math.sqrt(variance)
    points.push({ step: h, value, lower: value - half, upper: value + half })
  }
  return { points, params: { alpha, beta, gamma, seasonal: m > 0 }, residualStd: sigma }
}

export interface ThresholdCrossing {
  /** First step where the point forecast reaches the threshold (undefined: not in the horizon). */
  expectedStep: number | undefined
  /** First step where the upper bound reaches it: the earliest plausible crossing. */
  earliestStep: number | undefined
}

export function thresholdCrossing(forecast: Forecast, threshold: number): ThresholdCrossing {
  return {
    expectedStep: forecast.points.find((p) => p.value >= threshold)?.step,
    earliestStep: forecast.points.find((p) => p.upper >= threshold)?.step,
  }
}
