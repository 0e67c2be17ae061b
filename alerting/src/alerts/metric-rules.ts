/**
 * Metric rule decisions over a dense per-minute series (pure, so a live evaluation and a 7-day
 * preview share them). Point `t` of a rule is the events of the `window` minutes ending at
 * minute `t`; a threshold rule breaches above `above`, and once firing holds until the value
 * falls below `resolve_below`; an anomaly rule breaches when the minute's score reaches the
 * sensitivity's threshold; a forecast rule when the forecast of the window sums reaches `above`
 * within the horizon. A rule fires when `for.breaches` of the last `for.of` points breach.
 */
import { holtWintersForecast, thresholdCrossing } from '@faultline/intelligence'
import type { MetricRule } from '../config'

const minuteMs = 60_000

export interface MetricSeries {
  /** Events per minute, oldest first; the last entry is the last complete minute. */
  counts: Float64Array
  /** Anomaly scores per minute aligned with `counts` (NaN where none was written). */
  scores?: Float32Array
  /** The score threshold of the rule's sensitivity. */
  scoreThreshold?: number
}

export function windowSum(counts: Float64Array, t: number, windowMinutes: number): number {
  let sum = 0
  for (let i = Math.max(0, t - windowMinutes + 1); i <= t; i++) sum += counts[i]!
  return sum
}

/** Whether point `t` breaches the rule's condition, and the value shown for it. */
export function breachAt(rule: MetricRule, series: MetricSeries, t: number): { breach: boolean; value: number } {
  const windowMinutes = Math.round(rule.window / minuteMs)
  const c = rule.condition
  switch (c.type) {
    case 'threshold': {
      const value = windowSum(series.counts, t, windowMinutes)
      return { breach: value > c.above, value }
    }
    case 'anomaly': {
      const score = series.scores?.[t] ?? Number.NaN
      return { breach: !Number.isNaN(score) && series.scoreThreshold !== undefined && score >= series.scoreThreshold, value: Number.isNaN(score) ? 0 : score }
    }
    case 'forecast': {
      // The window sums at each window boundary going back, at most 200 of them.
      const sums: number[] = []
      for (let end = t; end >= windowMinutes - 1 && sums.length < 200; end -= windowMinutes) sums.unshift(windowSum(series.counts, end, windowMinutes))
      if (sums.length < 8) return { breach: false, value: sums.at(-1) ?? 0 }
      const perDay = Math.round(1440 / windowMinutes)
      const forecast = holtWintersForecast(sums, { seasonLength: sums.length >= 2 * perDay ? perDay : 0, horizon: Math.max(1, Math.ceil(c.horizon / rule.window)) })
      const crossing = thresholdCrossing(forecast, c.above)
      return { breach: crossing.expectedStep !== undefined, value: sums.at(-1)! }
    }
  }
}

/**
 * The rule's state at point `t`, given whether it fired at the previous point: N of M breaches
 * to fire; a firing threshold rule holds until its value drops below `resolve_below`.
 */
export function metricFiringAt(rule: MetricRule, series: MetricSeries, t: number, firingBefore: boolean): { firing: boolean; value: number } {
  const latest = breachAt(rule, series, t)
  const c = rule.condition
  if (firingBefore && c.type === 'threshold') return { firing: latest.value >= (c.resolve_below ?? c.above), value: latest.value }
  let breaches = latest.breach ? 1 : 0
  for (let k = 1; k < rule.for.of && t - k >= 0; k++) if (breachAt(rule, series, t - k).breach) breaches++
  return { firing: breaches >= rule.for.breaches, value: latest.value }
}

/** Minutes of history one evaluation of the rule reads. */
export function historyMinutes(rule: MetricRule): number {
  const windowMinutes = Math.round(rule.window / minuteMs)
  if (rule.condition.type === 'forecast') return windowMinutes * 200 + rule.for.of
  return windowMinutes + rule.for.of
}
