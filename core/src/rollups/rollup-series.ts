/**
 * Per-minute count series read from the rollups: a project's series from `project_minute`, an
 * issue's from `fingerprint_minute` summed over its fingerprints. Minutes without events are
 * absent from the rollups and read back as 0. Shared by the anomaly job and the API.
 */
import type { EventStore } from '../event-store'
import type { IssueDoc } from '../issues'

export const minuteMs = 60_000

/** The series the anomaly scores are kept for: a project's whole event rate, or one issue's. */
export const SeriesKinds = { project: 'project', issue: 'issue' } as const
export type SeriesKind = (typeof SeriesKinds)[keyof typeof SeriesKinds]

/** Half-open [from, to) in epoch ms, minute-aligned. */
export interface MinuteRange {
  from: number
  to: number
}

export interface MinuteCount {
  minute: number
  events: number
}

export const floorMinute = (ms: number): number => Math.floor(ms / minuteMs) * minuteMs

// Fingerprint lists longer than this are not sent as a filter (query parameters travel in the
// URL): the project's rows in the ranges are read whole and mapped to issues here instead.
const maxFingerprintFilter = 1000

function rangeCondition(ranges: readonly MinuteRange[], params: Record<string, unknown>): string {
  if (ranges.length === 0) return '0'
  return ranges
    .map((range, k) => {
      params[`from${k}`] = Math.floor(range.from / 1000)
      params[`to${k}`] = Math.floor(range.to / 1000)
      return `(minute >= toDateTime({from${k}:UInt32}) AND minute < toDateTime({to${k}:UInt32}))`
    })
    .join(' OR ')
}

/** The project's event counts per minute in `ranges` (all levels), only minutes with events. */
export async function projectMinuteCounts(store: EventStore, projectId: string, ranges: readonly MinuteRange[]): Promise<MinuteCount[]> {
  const params: Record<string, unknown> = { project: Number(projectId) }
  const result = await store.client.query({
    query: `SELECT toUnixTimestamp(minute) AS t, sum(events) AS n FROM ${store.database}.project_minute FINAL
            WHERE project_id = {project:UInt64} AND (${rangeCondition(ranges, params)})
            GROUP BY t`,
    query_params: params,
    format: 'JSONEachRow',
  })
  return (await result.json<{ t: number; n: number }>()).map((row) => ({ minute: Number(row.t) * 1000, events: Number(row.n) }))
}

/** Event counts per issue and minute in `ranges`, summed over each issue's fingerprints. */
export async function issueMinuteCounts(
  store: EventStore,
  projectId: string,
  issues: ReadonlyArray<Pick<IssueDoc, '_id' | 'fingerprints'>>,
  ranges: readonly MinuteRange[],
): Promise<Map<string, MinuteCount[]>> {
  const owner = new Map<string, string>()
  for (const issue of issues) for (const fingerprint of issue.fingerprints) owner.set(fingerprint, issue._id)
  const out = new Map<string, MinuteCount[]>()
  if (owner.size === 0) return out
  const params: Record<string, unknown> = { project: Number(projectId) }
  const filtered = owner.size <= maxFingerprintFilter
  if (filtered) params.fingerprints = [...owner.keys()]
  const result = await store.client.query({
    query: `SELECT fingerprint, toUnixTimestamp(minute) AS t, sum(events) AS n FROM ${store.database}.fingerprint_minute FINAL
            WHERE project_id = {project:UInt64} ${filtered ? 'AND fingerprint IN {fingerprints:Array(String)}' : ''}
              AND (${rangeCondition(ranges, params)})
            GROUP BY fingerprint, t`,
    query_params: params,
    format: 'JSONEachRow',
  })
  for (const row of await result.json<{ fingerprint: string; t: number; n: number }>()) {
    const issueId = owner.get(row.fingerprint)
    if (!issueId) continue
    let counts = out.get(issueId)
    if (!counts) out.set(issueId, (counts = []))
    const minute = Number(row.t) * 1000
    // Two fingerprints of a merged issue may share a minute.
    const same = counts.find((c) => c.minute === minute)
    if (same) same.events += Number(row.n)
    else counts.push({ minute, events: Number(row.n) })
  }
  return out
}

/** First minute with events of each project since `since` (ms): how far back history goes. */
export async function projectDataStarts(store: EventStore, since: number): Promise<Map<string, number>> {
  const result = await store.client.query({
    query: `SELECT toString(project_id) AS project, toUnixTimestamp(min(minute)) AS t FROM ${store.database}.project_minute
            WHERE minute >= toDateTime({since:UInt32}) GROUP BY project_id`,
    query_params: { since: Math.floor(since / 1000) },
    format: 'JSONEachRow',
  })
  return new Map((await result.json<{ project: string; t: number }>()).map((row) => [row.project, Number(row.t) * 1000]))
}

/**
 * A dense series of `length` buckets of `bucketMs` starting at `from` (ms): counts summed per
 * bucket, zero where none is given.
 */
export function denseSeries(counts: readonly MinuteCount[], from: number, length: number, bucketMs = minuteMs, into = new Float64Array(length)): Float64Array {
  for (const { minute, events } of counts) {
    const index = Math.floor((minute - from) / bucketMs)
    if (index >= 0 && index < length) into[index]! += events
  }
  return into
}

/** A project's or an issue's dense series over [from, to) in buckets of `bucketMs` (default a minute). */
export async function readCountSeries(
  store: EventStore,
  projectId: string,
  issue: Pick<IssueDoc, '_id' | 'fingerprints'> | undefined,
  range: MinuteRange,
  bucketMs = minuteMs,
): Promise<Float64Array> {
  const length = Math.max(0, Math.ceil((range.to - range.from) / bucketMs))
  const counts = issue ? ((await issueMinuteCounts(store, projectId, [issue], [range])).get(issue._id) ?? []) : await projectMinuteCounts(store, projectId, [range])
  return denseSeries(counts, range.from, length, bucketMs)
}
