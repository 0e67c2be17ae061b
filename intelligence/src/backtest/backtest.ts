import { FaultlineError } from '@faultline/core/errors'
import { scoreSeries, type AnomalyCombiner, type AnomalyDriver, type Seasonality, type SeriesPoint, type Sensitivity } from '../anomaly'

export class BacktestError extends FaultlineError<'invalid_csv' | 'empty_series'> {}

export interface BacktestResult {
  /** Each point with its score (see `scoreOf`), probability and the statistic that drove it. */
  points: Array<SeriesPoint & { score: number; p: number; driver: AnomalyDriver }>
  windows: Array<{ start: number; end: number; peak: number; peakScore: number }>
  threshold: number
  seasonality: Seasonality
  detectorVersion: string
}

function parseTime(text: string, line: number): number {
  const trimmed = text.trim().replace(/^"|"$/g, '')
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    const n = Number(trimmed)
    // Epoch seconds are below 10^11 until the year 5138; larger values are milliseconds.
    return n < 1e11 ? n * 1000 : n
  }
  const parsed = Date.parse(trimmed)
  if (Number.isNaN(parsed)) throw new BacktestError('invalid_csv', `line ${line}: cannot read timestamp "${trimmed}"`)
  return parsed
}

/** `timestamp,value` lines (ISO time or epoch s/ms), an optional header, sorted by time. */
export function parseSeriesCsv(text: string): SeriesPoint[] {
  const points: SeriesPoint[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const [time, value] = line.split(/[,;\t]/)
    if (index === 0 && value !== undefined && Number.isNaN(Number(value))) return
    if (time === undefined || value === undefined || Number.isNaN(Number(value))) throw new BacktestError('invalid_csv', `line ${index + 1}: expected "timestamp,value"`)
    points.push({ t: parseTime(time, index + 1), v: Number(value) })
  })
  return points.sort((a, b) => a.t - b.t)
}

/** Scores every point of a series, oldest first, with the streaming scorer and combiner the live job runs. */
export async function backtestSeries(input: readonly SeriesPoint[] | string, combiner: AnomalyCombiner, sensitivity: Sensitivity = 'medium'): Promise<BacktestResult> {
  const points = typeof input === 'string' ? parseSeriesCsv(input) : [...input].sort((a, b) => a.t - b.t)
  if (points.length === 0) throw new BacktestError('empty_series', 'the series has no points')
  const result = await scoreSeries(points, combiner, sensitivity)
  return {
    points: points.map((p, i) => ({ ...p, score: result.scores[i]!, p: result.points[i]!.p, driver: result.points[i]!.driver })),
    windows: result.windows.map((w) => ({ start: points[w.start]!.t, end: points[w.end]!.t, peak: points[w.peakIndex]!.t, peakScore: w.peakScore })),
    threshold: result.threshold,
    seasonality: result.seasonality,
    detectorVersion: result.version,
  }
}
