/** Reads the series metric rules look at: a project's events per minute (some levels) and its anomaly scores. */
import type { EventStore } from '@faultline/core/event-store'
import { denseSeries, minuteMs } from '@faultline/core/rollups'

/** Events per minute over [from, to) (minute-aligned), zero where there were none. */
export async function projectCounts(store: EventStore, projectId: string, levels: readonly string[] | undefined, from: number, to: number): Promise<Float64Array> {
  const params: Record<string, unknown> = { project: Number(projectId), from: Math.floor(from / 1000), to: Math.floor(to / 1000) }
  if (levels) params.levels = levels
  const result = await store.client.query({
    query: `SELECT toUnixTimestamp(minute) AS t, sum(events) AS n FROM ${store.database}.project_minute FINAL
            WHERE project_id = {project:UInt64} AND minute >= toDateTime({from:UInt32}) AND minute < toDateTime({to:UInt32})
            ${levels ? 'AND level IN {levels:Array(String)}' : ''}
            GROUP BY t`,
    query_params: params,
    format: 'JSONEachRow',
  })
  const counts = (await result.json<{ t: number; n: number }>()).map((row) => ({ minute: Number(row.t) * 1000, events: Number(row.n) }))
  return denseSeries(counts, from, Math.round((to - from) / minuteMs))
}

/** The project series' anomaly scores per minute over [from, to); NaN where none was written. */
export async function projectScores(store: EventStore, projectId: string, from: number, to: number): Promise<Float32Array> {
  const result = await store.client.query({
    query: `SELECT toUnixTimestamp(minute) AS t, argMax(score, scored_at) AS s FROM ${store.database}.anomaly_scores
            WHERE project_id = {project:UInt64} AND series_kind = 'project' AND minute >= toDateTime({from:UInt32}) AND minute < toDateTime({to:UInt32})
            GROUP BY t`,
    query_params: { project: Number(projectId), from: Math.floor(from / 1000), to: Math.floor(to / 1000) },
    format: 'JSONEachRow',
  })
  const scores = new Float32Array(Math.round((to - from) / minuteMs)).fill(Number.NaN)
  for (const row of await result.json<{ t: number; s: number }>()) {
    const index = Math.floor((Number(row.t) * 1000 - from) / minuteMs)
    if (index >= 0 && index < scores.length) scores[index] = Number(row.s)
  }
  return scores
}
