/**
 * The per-minute rollups (`fingerprint_minute`, `project_minute`, `template_minute`) are computed
 * from the stored events, never added to. A refresh recomputes the minutes it names from
 * `error_events`, counting events by distinct id, and every rollup column merges idempotently: the
 * largest count, the union of user sketches and fingerprint sets, the earliest first and latest
 * last seen. Refreshing a minute twice, or long after a crash left it stale, therefore gives the
 * same merged row, and readers take that merged row (`FINAL`).
 *
 * This is what keeps rollups equal to the events across a crash at any point: the processor
 * inserts a batch's new events, then refreshes the minutes of every event in the batch, then acks;
 * a batch delivered again refreshes its minutes even when all its events were already stored.
 * (Counts merge by max because a minute's event set only grows: of two concurrent refreshes of
 * one minute, the one that reads later sees every event the other saw.)
 *
 * Each rollup row also carries the fingerprint, so a refresh reads only the events of the
 * fingerprints and minutes it names, along `error_events`' sort key.
 */
import type { EventStore } from './event-store'

/** One event's place in the rollups: its fingerprint and timestamp (ms). */
export interface RollupKey {
  fingerprint: string
  timestamp: number
}

/**
 * The statements that recompute every rollup row whose events match `where` (a condition on
 * `error_events`, `1` for all). Used by the migration that backfills the rollups and by refreshes.
 */
export function rollupRefreshStatements(store: Pick<EventStore, 'database'>, where: string): string[] {
  const db = store.database
  return [
    `INSERT INTO ${db}.fingerprint_minute (project_id, fingerprint, minute, events, users, first_seen, last_seen)
     SELECT project_id, fingerprint, toStartOfMinute(timestamp) AS minute, uniqExact(event_id),
       uniqStateIf(user_key, user_key != ''), min(timestamp), max(timestamp)
     FROM ${db}.error_events WHERE ${where}
     GROUP BY project_id, fingerprint, minute`,
    `INSERT INTO ${db}.project_minute (project_id, minute, level, fingerprint, events)
     SELECT project_id, toStartOfMinute(timestamp) AS minute, level, fingerprint, uniqExact(event_id)
     FROM ${db}.error_events WHERE ${where}
     GROUP BY project_id, minute, level, fingerprint`,
    `INSERT INTO ${db}.template_minute (project_id, template_id, minute, fingerprint, events, fingerprints, first_seen, last_seen)
     SELECT project_id, template_id, toStartOfMinute(timestamp) AS minute, fingerprint, uniqExact(event_id),
       groupUniqArrayState(100)(fingerprint), min(timestamp), max(timestamp)
     FROM ${db}.error_events WHERE template_id != '' AND (${where})
     GROUP BY project_id, template_id, minute, fingerprint`,
  ]
}

const minuteSeconds = 60

/** Recomputes all of a project's rollup rows, e.g. after events were loaded in bulk. */
export async function refreshProjectRollups(store: EventStore, projectId: string): Promise<void> {
  for (const query of rollupRefreshStatements(store, 'project_id = {project:UInt64}')) {
    await store.client.command({ query, query_params: { project: Number(projectId) } })
  }
}

/** Recomputes the rollup rows of `keys`' fingerprints and minutes in one project from its stored events. */
export async function refreshRollups(store: EventStore, projectId: string, keys: readonly RollupKey[]): Promise<void> {
  if (keys.length === 0) return
  const minutes = new Map<string, { fingerprint: string; minute: number }>()
  for (const { fingerprint, timestamp } of keys) {
    const minute = Math.floor(timestamp / 1000 / minuteSeconds) * minuteSeconds
    minutes.set(`${minute}:${fingerprint}`, { fingerprint, minute })
  }
  const pairs = [...minutes.values()]
  const starts = pairs.map((p) => p.minute)
  // The fingerprint and time range narrow the read along the sort key; the pairs pick the rows exactly.
  const where = `project_id = {project:UInt64} AND fingerprint IN {fingerprints:Array(String)}
    AND timestamp >= toDateTime64({from:Int64}, 3, 'UTC') AND timestamp < toDateTime64({to:Int64}, 3, 'UTC')
    AND has(arrayZip({pairFingerprints:Array(String)}, {pairMinutes:Array(Int64)}), (fingerprint, toInt64(toUnixTimestamp(toStartOfMinute(timestamp)))))`
  const params = {
    project: Number(projectId),
    fingerprints: [...new Set(pairs.map((p) => p.fingerprint))],
    from: starts.reduce((a, b) => Math.min(a, b)),
    to: starts.reduce((a, b) => Math.max(a, b)) + minuteSeconds,
    pairFingerprints: pairs.map((p) => p.fingerprint),
    pairMinutes: starts,
  }
  for (const query of rollupRefreshStatements(store, where)) await store.client.command({ query, query_params: params })
}

/** Events of a project counted from `error_events` (distinct ids) and from each rollup. */
export interface RollupTotals {
  events: number
  /** Events with a template: what `template_minute` counts. */
  templatedEvents: number
  fingerprintMinute: number
  projectMinute: number
  templateMinute: number
}

/**
 * A project's event totals from the events and from each rollup: when the rollups are consistent
 * with the events, `fingerprintMinute` and `projectMinute` equal `events` and `templateMinute`
 * equals `templatedEvents`. For tests and checks after a crash; it reads every row of the project.
 */
export async function rollupTotals(store: EventStore, projectId: string): Promise<RollupTotals> {
  const db = store.database
  const result = await store.client.query({
    query: `SELECT
              (SELECT uniqExact(event_id) FROM ${db}.error_events WHERE project_id = {project:UInt64}) AS events,
              (SELECT uniqExact(event_id) FROM ${db}.error_events WHERE project_id = {project:UInt64} AND template_id != '') AS templatedEvents,
              (SELECT sum(events) FROM ${db}.fingerprint_minute FINAL WHERE project_id = {project:UInt64}) AS fingerprintMinute,
              (SELECT sum(events) FROM ${db}.project_minute FINAL WHERE project_id = {project:UInt64}) AS projectMinute,
              (SELECT sum(events) FROM ${db}.template_minute FINAL WHERE project_id = {project:UInt64}) AS templateMinute`,
    query_params: { project: Number(projectId) },
    format: 'JSONEachRow',
  })
  const [row] = await result.json<Record<keyof RollupTotals, number>>()
  return {
    events: Number(row!.events),
    templatedEvents: Number(row!.templatedEvents),
    fingerprintMinute: Number(row!.fingerprintMinute),
    projectMinute: Number(row!.projectMinute),
    templateMinute: Number(row!.templateMinute),
  }
}
