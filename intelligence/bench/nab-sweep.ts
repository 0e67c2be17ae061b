/**
 * NAB's scoring in TypeScript (nab/sweeper.py and nab/optimizer.py, ported line for line): each
 * row's weight by its position relative to the windows, one threshold per profile optimized over
 * the whole corpus, and the normalization against the null detector. It exists for speed (the
 * Python scorer takes half a minute a run, this a few hundred ms) when comparing many settings
 * (nab-tune.ts); the figures the bench reports come from the official scorer, and nab-tune.ts
 * first holds this port to the reference detectors' official results.
 */
import type { NabProfile, NabScores, NabSeries } from './nab'

const costs: Record<NabProfile, { tp: number; fp: number; fn: number }> = {
  standard: { tp: 1, fp: 0.11, fn: 1 },
  reward_low_FP_rate: { tp: 1, fp: 0.22, fn: 1 },
  reward_low_FN_rate: { tp: 1, fp: 0.11, fn: 2 },
}

/** NAB's weight of a detection at `position` (−1 at a window's start, 0 at its end, positive after it). */
export const scaledSigmoid = (position: number): number => (position > 3 ? -1 : 2 / (1 + Math.exp(5 * position)) - 1)
const maxTp = scaledSigmoid(-1)

/** One scorable row: its score, its weight if it is the detection, and its window (-1: none). */
interface Row {
  score: number
  /** Unweighted: scaled sigmoid of the position (TP in a window, FP outside). */
  weight: number
  window: number
}

/** The rows of one file after the probationary period, windows numbered from `firstWindow`. */
function sweepRows(series: NabSeries, scores: ArrayLike<number>, firstWindow: number): { rows: Row[]; windows: number } {
  const n = series.times.length
  const probation = Math.min(Math.floor(0.15 * n), 0.15 * 5000)
  const rows: Row[] = []
  const limits = series.windows.map(([a, b]) => [series.times.indexOf(a), series.times.indexOf(b)] as const)
  let w = 0
  let inside = -1
  let right = -1
  let width = 0
  let prevRight = -1
  let prevWidth = 0
  for (let i = 0; i < n; i++) {
    if (inside < 0 && w < limits.length && i === limits[w]![0]) {
      inside = w
      right = limits[w]![1]
      width = right - limits[w]![0] + 1
      w++
    }
    let weight: number
    if (inside >= 0) weight = scaledSigmoid(-(right - i + 1) / width) / maxTp
    else weight = prevRight < 0 ? -1 : scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1))
    if (i >= probation) rows.push({ score: scores[i]!, weight, window: inside >= 0 ? firstWindow + inside : -1 })
    if (inside >= 0 && i === right) {
      prevRight = i
      prevWidth = width
      inside = -1
    }
  }
  return { rows, windows: limits.length }
}

export interface SweepResult {
  scores: NabScores
  thresholds: Record<NabProfile, number>
}

/** Normalized NAB scores of `scores` (one per row of each series) on `series`. */
export function sweepNab(series: readonly NabSeries[], scores: ReadonlyMap<string, ArrayLike<number>>): SweepResult {
  const rows: Row[] = []
  let windows = 0
  for (const s of series) {
    const values = scores.get(s.key)
    if (!values || values.length !== s.times.length) throw new RangeError(`${s.key}: ${values?.length ?? 0} scores for ${s.times.length} rows`)
    const swept = sweepRows(s, values, windows)
    windows += swept.windows
    for (const row of swept.rows) rows.push(row)
  }
  rows.sort((a, b) => b.score - a.score)
  const out = { scores: {} as NabScores, thresholds: {} as Record<NabProfile, number> }
  for (const profile of Object.keys(costs) as NabProfile[]) {
    const c = costs[profile]
    // The windows that rows scored so far detected, and their best (earliest) weight.
    const best = new Float64Array(windows).fill(Number.NaN)
    let fp = 0
    let tp = 0
    let bestScore = -c.fn * windows
    let bestThreshold = 1.1
    const total = (): number => fp + tp - c.fn * (windows - countFound)
    let countFound = 0
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!
      if (row.window < 0) fp += row.weight * c.fp
      else {
        const weight = row.weight * c.tp
        const previous = best[row.window]!
        if (Number.isNaN(previous)) {
          best[row.window] = weight
          countFound++
          tp += weight
        } else if (weight > previous) {
          tp += weight - previous
          best[row.window] = weight
        }
      }
      // A threshold admits every row of its score: evaluate after the last row of a score.
      if (i + 1 < rows.length && rows[i + 1]!.score === row.score) continue
      const score = total()
      if (score > bestScore) {
        bestScore = score
        bestThreshold = row.score
      }
    }
    const nullScore = -c.fn * windows
    out.scores[profile] = (100 * (bestScore - nullScore)) / (windows * c.tp - nullScore)
    out.thresholds[profile] = bestThreshold
  }
  return out
}
