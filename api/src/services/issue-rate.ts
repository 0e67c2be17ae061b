/**
 * An issue's event rate for the issue page's chart, in one answer: events per bucket over the
 * range, the stored anomaly score of each bucket (the highest of its minutes), the detector's
 * threshold, and the forecast band ahead (null while there is too little history to forecast).
 */
import { HTTPException } from 'hono/http-exception'
import type { IssueDoc } from '@faultline/core/issues'
import type { Platform } from '@faultline/core/platform'
import { minuteMs, readCountSeries } from '@faultline/core/rollups'
import { scoreThreshold } from '@faultline/intelligence'
import { forecastSeries } from './intelligence-series'

export const RateRanges = {
  '1h': { rangeMs: 3_600_000, bucketMs: minuteMs, horizonMinutes: 15 },
  '24h': { rangeMs: 86_400_000, bucketMs: minuteMs, horizonMinutes: 60 },
  '7d': { rangeMs: 7 * 86_400_000, bucketMs: 60 * minuteMs, horizonMinutes: 24 * 60 },
} as const
export type RateRange = keyof typeof RateRanges

type Db = Pick<Platform, 'issues' | 'eventStore'>

export async function issueRate(db: Db, issue: IssueDoc, range: RateRange, now = Date.now()) {
  const { rangeMs, bucketMs, horizonMinutes } = RateRanges[range]
  const to = Math.floor(now / bucketMs) * bucketMs + bucketMs
  const from = to - rangeMs
  const [counts, scores, forecast] = await Promise.all([
    readCountSeries(db.eventStore, issue.projectId, issue, { from, to }, bucketMs),
    bucketScores(db, issue, from, to, bucketMs),
    forecastSeries(db, issue.projectId, { kind: 'issue', id: issue._id, issue }, { horizonMinutes, resolution: bucketMs === minuteMs ? 'minute' : 'hour' }, now).catch((error: unknown) => {
      // 422: not enough history yet; the chart shows no band rather than failing.
      if (error instanceof HTTPException && error.status === 422) return null
      throw error
    }),
  ])
  const threshold = scoreThreshold('medium')
  return {
    issueId: issue._id,
    bucketSeconds: bucketMs / 1000,
    threshold,
    points: Array.from(counts, (events, i) => {
      const score = scores.get(from + i * bucketMs)
      return { time: new Date(from + i * bucketMs).toISOString(), events, score: score ?? null, anomalous: score !== undefined && score >= threshold }
    }),
    forecast: forecast ? forecast.points.map(({ time, value, lower, upper }) => ({ time, value, lower, upper })) : null,
  }
}

/** The highest stored score per bucket of the issue's series. */
async function bucketScores(db: Db, issue: IssueDoc, from: number, to: number, bucketMs: number): Promise<Map<number, number>> {
  const { client, database } = db.eventStore
  const result = await client.query({
    query: `SELECT intDiv(toUnixTimestamp(minute) * 1000 - {from:Int64}, {bucketMs:Int64}) AS bucket, max(score) AS score
            FROM ${database}.anomaly_scores FINAL
            WHERE project_id = {project:UInt64} AND series_kind = 'issue' AND series_id = {id:String}
              AND minute >= toDateTime({from:Int64} / 1000) AND minute < toDateTime({to:Int64} / 1000)
            GROUP BY bucket`,
    query_params: { project: Number(issue.projectId), id: issue._id, from, to, bucketMs },
    format: 'JSONEachRow',
  })
  return new Map((await result.json<{ bucket: number; score: number }>()).map((r) => [from + Number(r.bucket) * bucketMs, Number(r.score)]))
}
