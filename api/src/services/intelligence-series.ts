/**
 * Series views of the exception intelligence: stored anomaly scores, Holt-Winters forecasts with a
 * threshold crossing, and backtests of a stored series or an uploaded CSV.
 */
import type { IssueDoc } from '@faultline/core/issues'
import type { Platform } from '@faultline/core/platform'
import { httpError } from '@faultline/core/http'
import { floorMinute, minuteMs, projectDataStarts, readCountSeries, type SeriesKind } from '@faultline/core/rollups'
import { BacktestError, detectorVersion, holtWintersForecast, parseSeriesCsv, scoreThreshold, thresholdCrossing, type SeriesPoint } from '@faultline/intelligence'
import { loadProjectIssues } from './issue-actions'

type Db = Pick<Platform, 'issues' | 'eventStore'>

export interface SeriesTarget {
  kind: SeriesKind
  /** The project id for the project series, the issue id for an issue's. */
  id: string
  issue?: IssueDoc
}

/** The series a request names: the project's, or an issue's (404 when not in the project). */
export async function resolveSeries(db: Db, orgId: string, projectId: string, series: SeriesKind, issueId: string | undefined): Promise<SeriesTarget> {
  if (series === 'project') return { kind: 'project', id: projectId }
  if (!issueId) throw httpError(400, 'series=issue needs an issueId')
  const [issue] = await loadProjectIssues(db, orgId, projectId, [issueId])
  return { kind: 'issue', id: issueId, issue }
}

const isoMinute = (text: string): string => `${text.replace(' ', 'T')}Z`

export interface ScorePoint {
  minute: string
  value: number
  score: number
  anomalous: boolean
  /** The detector that scored it (stored as the model version). */
  modelVersion: string
  /** What drove a high score: the statistic, its distance in typical steps, its probability. */
  drivers: unknown[]
}

/** Stored scores of one series between `since` and `until` (ms), oldest first. */
export async function anomalyScores(db: Db, projectId: string, target: SeriesTarget, since: number, until: number) {
  const { client, database } = db.eventStore
  // Aliased: an alias named like the column would shadow it in WHERE.
  const result = await client.query({
    query: `SELECT toString(minute) AS minute_text, value, score, model_version, drivers FROM ${database}.anomaly_scores FINAL
            WHERE project_id = {project:UInt64} AND series_kind = {kind:String} AND series_id = {id:String}
              AND minute >= toDateTime({since:UInt32}) AND minute <= toDateTime({until:UInt32})
            ORDER BY minute`,
    query_params: { project: Number(projectId), kind: target.kind, id: target.id, since: Math.floor(since / 1000), until: Math.floor(until / 1000) },
    format: 'JSONEachRow',
  })
  const threshold = scoreThreshold('medium')
  const rows = await result.json<{ minute_text: string; value: number; score: number; model_version: string; drivers: string }>()
  const points: ScorePoint[] = rows.map((row) => ({
    minute: isoMinute(row.minute_text),
    value: Number(row.value),
    score: Number(row.score),
    anomalous: Number(row.score) >= threshold,
    modelVersion: row.model_version,
    drivers: row.drivers ? (JSON.parse(row.drivers) as unknown[]) : [],
  }))
  return { series: target.kind, seriesId: target.id, since: new Date(since).toISOString(), until: new Date(until).toISOString(), threshold, detectorVersion, points }
}

export const ForecastResolutions = { minute: 'minute', hour: 'hour' } as const
export type ForecastResolution = (typeof ForecastResolutions)[keyof typeof ForecastResolutions]

const resolutions = {
  minute: { bucketMs: minuteMs, historyBuckets: 3 * 1440, season: 1440 },
  hour: { bucketMs: 60 * minuteMs, historyBuckets: 28 * 24, season: 24 },
} as const

export interface ForecastParams {
  horizonMinutes: number
  threshold?: number
  resolution?: ForecastResolution
}

/**
 * Holt-Winters over the series' history (from the project's first data, at most 3 days of minutes
 * or 28 days of hours) up to the last completed bucket; the threshold is in events per bucket.
 */
export async function forecastSeries(db: Db, projectId: string, target: SeriesTarget, params: ForecastParams, now = Date.now()) {
  const resolution = params.resolution ?? (params.horizonMinutes <= 360 ? 'minute' : 'hour')
  const { bucketMs, historyBuckets, season } = resolutions[resolution]
  const end = Math.floor(now / bucketMs) * bucketMs
  const dataStart = (await projectDataStarts(db.eventStore, end - historyBuckets * bucketMs)).get(projectId)
  if (dataStart === undefined) throw httpError(422, `Project ${projectId} has no events in the last ${historyBuckets} ${resolution}s to forecast from`)
  const from = Math.max(end - historyBuckets * bucketMs, Math.floor(dataStart / bucketMs) * bucketMs)
  const values = await readCountSeries(db.eventStore, projectId, target.issue, { from, to: end }, bucketMs)
  if (values.length < 3) throw httpError(422, `A forecast needs at least 3 completed ${resolution}s of history; this series has ${values.length}`)
  const horizon = Math.max(1, Math.ceil((params.horizonMinutes * minuteMs) / bucketMs))
  const forecast = holtWintersForecast(values, { seasonLength: season, horizon })
  const at = (step: number | undefined) => (step === undefined ? null : new Date(end + (step - 1) * bucketMs).toISOString())
  const crossing = params.threshold === undefined ? undefined : thresholdCrossing(forecast, params.threshold)
  return {
    series: target.kind,
    seriesId: target.id,
    resolution,
    bucketSeconds: bucketMs / 1000,
    history: { from: new Date(from).toISOString(), to: new Date(end).toISOString(), points: values.length, last: values[values.length - 1] },
    params: forecast.params,
    residualStd: forecast.residualStd,
    // Counts are never negative: the model's additive interval is clipped at 0.
    points: forecast.points.map((p) => ({ time: at(p.step), value: Math.max(0, p.value), lower: Math.max(0, p.lower), upper: Math.max(0, p.upper) })),
    ...(crossing && { threshold: { value: params.threshold, expectedAt: at(crossing.expectedStep), earliestAt: at(crossing.earliestStep) } }),
  }
}

export const backtestLimits = { csvBytes: 5 * 1024 * 1024, points: 100_000, storedMinutes: 14 * 1440 } as const

/** Parses a CSV series; too many points is a 413, a malformed line a 400 naming it. */
export function csvPoints(csv: string): SeriesPoint[] {
  if (Buffer.byteLength(csv) > backtestLimits.csvBytes) throw httpError(413, `The CSV is larger than ${backtestLimits.csvBytes} bytes`)
  let points: SeriesPoint[]
  try {
    points = parseSeriesCsv(csv)
  } catch (error) {
    if (error instanceof BacktestError) throw httpError(400, `Invalid CSV: ${error.message}`)
    throw error
  }
  if (points.length > backtestLimits.points) throw httpError(413, `The CSV has ${points.length} points; at most ${backtestLimits.points} are scored`)
  if (points.length === 0) throw httpError(400, 'The CSV has no points')
  return points
}

/** A stored series between `since` and `until` (ms, whole minutes) as points. */
export async function storedPoints(db: Db, projectId: string, target: SeriesTarget, since: number, until: number): Promise<SeriesPoint[]> {
  const from = floorMinute(since)
  const to = floorMinute(until)
  if (to <= from) throw httpError(400, 'until must be at least a minute after since')
  if ((to - from) / minuteMs > backtestLimits.storedMinutes) throw httpError(400, `A stored backtest covers at most ${backtestLimits.storedMinutes / 1440} days`)
  const values = await readCountSeries(db.eventStore, projectId, target.issue, { from, to })
  return Array.from(values, (v, i) => ({ t: from + i * minuteMs, v }))
}
