/**
 * A whole series scored by the streaming scorer, in time order (exactly what the live job does
 * one minute at a time), and its anomaly windows at a sensitivity.
 */
import type { AnomalyCombiner } from './combiner'
import { scoreOf } from './series-detector'
import { SeriesScorer, type ScoredPoint, type ScorerOptions } from './series-scorer'
import type { Seasonality } from './seasonal-profile'
import { scoreWindows, type AnomalyWindow } from './windows'

/** 0 = only the clearest anomalies, 1 = everything unusual. */
export type Sensitivity = number | 'low' | 'medium' | 'high'
const namedSensitivity = { low: 0.25, medium: 0.5, high: 0.75 } as const

/**
 * The score an alarm needs at a sensitivity: an alarm probability of 10^(−6 + 4s) per point,
 * so low (0.25) is 1 in 100,000, medium 1 in 10,000, high 1 in 1,000.
 */
export function scoreThreshold(sensitivity: Sensitivity = 'medium'): number {
  const s = typeof sensitivity === 'number' ? Math.min(1, Math.max(0, sensitivity)) : namedSensitivity[sensitivity]
  return scoreOf(10 ** (-6 + 4 * s))
}

export interface SeriesPoint {
  /** Epoch milliseconds. */
  t: number
  v: number
}

export interface SeriesScores {
  scores: Float64Array
  points: ScoredPoint[]
  /** Point indexes, inclusive. */
  windows: AnomalyWindow[]
  threshold: number
  /** What the detector found by the last point. */
  seasonality: Seasonality
  version: string
}

/** Scores `points` (sorted by time) from the first on; windows from index `from`. */
export async function scoreSeries(points: readonly SeriesPoint[], combiner: AnomalyCombiner, sensitivity: Sensitivity = 'medium', options: Partial<ScorerOptions> = {}, from = 0): Promise<SeriesScores> {
  const scorer = new SeriesScorer(combiner, options)
  const scored = await scorer.push(points)
  const scores = Float64Array.from(scored, (s) => s.score)
  const threshold = scoreThreshold(sensitivity)
  return { scores, points: scored, windows: scoreWindows(scores, threshold, undefined, from), threshold, seasonality: scorer.seasonality, version: scorer.version }
}
