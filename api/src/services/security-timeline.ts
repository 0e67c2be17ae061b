/**
 * The security timeline over `security_events`: search (the query language compiled to
 * parameterized SQL) newest first with keyset cursors, a time histogram, and the pages an export
 * streams. Every statement binds its values; only column names from the field table are written
 * into SQL.
 */
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { toUuid } from '@faultline/core/schema'
import { fieldSpec, parseSecurityQuery, queryToSql, queryUsesOnlyColumns, type QueryNode, type SecurityEvent } from '@faultline/core/security'
import { encodeCursor, type CursorPosition } from './cursor'
import { queryEntities } from './security-entity'

export interface TimeRange {
  from: number
  to: number
}

export interface SearchParams extends TimeRange {
  query: QueryNode
  limit: number
  cursor?: CursorPosition
  /** Field names to return flat per event; all of the event when absent. */
  columns?: string[]
}

export interface TimelineRow {
  id: string
  '@timestamp': string
  event?: SecurityEvent
  fields?: Record<string, unknown>
}

export function parseQueryText(text: string | undefined): QueryNode {
  const parsed = parseSecurityQuery(text ?? '')
  if (!parsed.ok) throw httpError(400, `Invalid query: ${parsed.reason}`)
  return parsed.query
}

/** Checks a column list against the fields the language knows. */
export function parseColumns(columns: string[] | undefined): string[] | undefined {
  if (!columns || columns.length === 0) return undefined
  for (const column of columns) if (column !== '@timestamp' && !fieldSpec(column)) throw httpError(400, `Unknown column ${JSON.stringify(column.slice(0, 64))}`)
  return columns
}

const timeRangeSql = 'timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND timestamp < fromUnixTimestamp64Milli({to:Int64})'

function condition(projectId: string, range: TimeRange, query: QueryNode): { sql: string; compiled: string; params: Record<string, unknown> } {
  const compiled = queryToSql(query)
  return {
    compiled: compiled.sql,
    sql: `project_id = {project:UInt64} AND ${timeRangeSql} AND (${compiled.sql})`,
    params: { ...compiled.params, project: Number(projectId), from: range.from, to: range.to },
  }
}

export function rowOf(at: number, payload: string, columns: string[] | undefined): TimelineRow {
  const event = JSON.parse(payload) as SecurityEvent
  const base = { id: event.event.id, '@timestamp': new Date(at).toISOString() }
  if (!columns) return { ...base, event }
  const fields: Record<string, unknown> = {}
  for (const column of columns) fields[column] = column === '@timestamp' ? base['@timestamp'] : (fieldSpec(column)!.get(event) ?? null)
  return { ...base, fields }
}

export async function searchSecurityEvents(platform: Platform, projectId: string, params: SearchParams): Promise<{ data: TimelineRow[]; nextCursor: string | null }> {
  const page = await searchPage(platform, [projectId], params)
  return { data: page.data.map(({ projectId: _p, ...row }) => row), nextCursor: page.next && encodeCursor(page.next) }
}

/**
 * One search over several projects (the organization-level list): each project's newest matches
 * read in order as in a single project's search, merged newest first, with the same keyset cursor.
 */
export async function searchSecurityEventsAcross(platform: Platform, projectIds: readonly string[], params: SearchParams): Promise<{ data: (TimelineRow & { projectId: string })[]; nextCursor: string | null }> {
  if (projectIds.length === 0) return { data: [], nextCursor: null }
  const page = await searchPage(platform, projectIds, params)
  return { data: page.data, nextCursor: page.next && encodeCursor(page.next) }
}

/**
 * Newest first along the table's sort key (`security_events`, or one entity's range of
 * `security_entities`, see `searchSource`), so ClickHouse reads in order and stops after `limit`
 * rows; over several projects, one such read per project and a merge of their pages. No
 * `LIMIT 1 BY event_id` (it disables that early stop and made a search read the whole range): the
 * writer stores each id once, and a copy (left by a crash, or an entity row filled again for a
 * redelivered batch) sorts next to its original (same timestamp and id), so the page drops adjacent repeats. The cursor follows the last row read, so a
 * page shortened by a dropped copy still continues where it stopped.
 */
async function searchPage(platform: Platform, projectIds: readonly string[], params: SearchParams): Promise<{ data: (TimelineRow & { projectId: string })[]; next: CursorPosition | null }> {
  const compiled = queryToSql(params.query)
  const queryParams: Record<string, unknown> = { ...compiled.params, from: params.from, to: params.to, limit: params.limit }
  let after = ''
  if (params.cursor) {
    after = ' AND (timestamp, event_id) < (fromUnixTimestamp64Milli({cursorAt:Int64}), toUUID({cursorId:String}))'
    queryParams.cursorAt = params.cursor.value
    queryParams.cursorId = toUuid(params.cursor.id)
  }
  const source = await searchSource(platform, projectIds, params, params.query, queryParams)
  const { client } = platform.eventStore
  const perProject = projectIds.map((projectId, i) => {
    queryParams[`project${i}`] = Number(projectId)
    return `SELECT toUnixTimestamp64Milli(timestamp) AS at, event_id, toString(project_id) AS project, payload FROM ${source.table}
      WHERE project_id = {project${i}:UInt64}${source.entity} AND ${timeRangeSql}${after} AND (${compiled.sql})
      ORDER BY timestamp DESC, event_id DESC LIMIT {limit:UInt32}`
  })
  const query = perProject.length === 1 ? perProject[0]! : `SELECT * FROM (${perProject.join(' UNION ALL ')}) ORDER BY at DESC, event_id DESC LIMIT {limit:UInt32}`
  const result = await client.query({ query, query_params: queryParams, format: 'JSONEachRow' })
  const raw = await result.json<{ at: number; event_id: string; project: string; payload: string }>()
  const rows = raw
    .filter((r, i) => i === 0 || r.event_id !== raw[i - 1]!.event_id || r.project !== raw[i - 1]!.project)
    .map((r) => ({ ...rowOf(Number(r.at), r.payload, params.columns), projectId: r.project }))
  const last = raw.at(-1)
  return { data: rows, next: raw.length === params.limit && last ? { value: Number(last.at), id: last.event_id.replaceAll('-', '') } : null }
}

/**
 * Where a search reads: a query about one IP, user or session reads that entity's rows of
 * `security_entities` (one key range, newest first, same columns); a query about an IP range reads
 * its rows there too when they are few (at most `entityRowsRead`, counted by a probe that stops
 * there), since they are then sorted by time whole; any other reads `security_events`. Binds the
 * entity keys into `params`.
 */
async function searchSource(platform: Platform, projectIds: readonly string[], range: TimeRange, query: QueryNode, bound: Record<string, unknown>): Promise<{ table: string; entity: string }> {
  const { client, database } = platform.eventStore
  const events = { table: `${database}.security_events`, entity: '' }
  const keys = queryEntities(query)
  if (!keys) return events
  const entity = ' AND entity_kind = {entityKind:String} AND entity BETWEEN {entityLow:String} AND {entityHigh:String}'
  const keyParams = { entityKind: keys.kind, entityLow: keys.low, entityHigh: keys.high }
  if (keys.low !== keys.high) {
    const probe = await client.query({
      query: `SELECT count() AS n FROM (SELECT 1 FROM ${database}.security_entities WHERE project_id IN {projects:Array(UInt64)}${entity} AND ${timeRangeSql} LIMIT {cap:UInt32})`,
      query_params: { ...keyParams, projects: projectIds.map(Number), from: range.from, to: range.to, cap: entityRowsRead + 1 },
      format: 'JSONEachRow',
    })
    if (Number((await probe.json<{ n: number }>())[0]!.n) > entityRowsRead) return events
  }
  Object.assign(bound, keyParams)
  return { table: `${database}.security_entities`, entity }
}

/**
 * The most rows of an IP range's entities a search sorts by time itself. Past that, reading
 * `security_events` newest first costs less: its matches are then dense enough that a page is
 * found within a few granules (10M events over 7 days: a /24 of the bench's 200,000 addresses has
 * ~13,000 rows, a /16 ~3,300,000).
 */
const entityRowsRead = 50_000

const intervals = [1, 5, 10, 30, 60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400]

export interface Histogram {
  intervalSeconds: number
  /** `rollup`: the range's whole minutes counted from the per-minute counts of `security_events` (its `minute_counts` projection), its partial minutes from the events; `events`: counted over the matching events. Both exact. */
  source: 'rollup' | 'events'
  buckets: { start: string; count: number; failures: number }[]
}

/**
 * Counts per interval. A query on `event.action`/`event.outcome` alone (or none) groups by the
 * minute, so ClickHouse answers the range's whole minutes from the `minute_counts` projection
 * (event-store migration 8), whose size does not grow with the events; the partial minutes at the
 * range's edges are counted from the events. A query about entities counts their entity rows (as
 * a search reads them, see `searchSource`); any other query counts the events.
 */
export async function securityHistogram(platform: Platform, projectId: string, range: TimeRange, query: QueryNode, maxBuckets = 120): Promise<Histogram> {
  const seconds = (range.to - range.from) / 1000
  const intervalSeconds = intervals.find((s) => seconds / s <= maxBuckets) ?? 86400
  const { client, database } = platform.eventStore
  const perMinute = intervalSeconds >= 60 && queryUsesOnlyColumns(query, projectionColumns)
  const where = condition(projectId, range, query)
  const minuteMs = 60_000
  const params: Record<string, unknown> = { ...where.params, interval: intervalSeconds, wholeFrom: Math.ceil(range.from / minuteMs) * 60, wholeTo: Math.floor(range.to / minuteMs) * 60 }
  // A query about entities counts their rows of security_entities, distinct ids (an event has a row per
  // IP of a range, and a refill leaves copies until merged).
  const source = await searchSource(platform, [projectId], range, query, params)
  const counts = (time: string, sql: string, table = `${database}.security_events`, count = 'count()') => `SELECT toUnixTimestamp(toStartOfInterval(${time}, toIntervalSecond({interval:UInt32}))) AS t, outcome, ${count} AS n
       FROM ${table} WHERE ${sql} GROUP BY t, outcome`
  const minute = 'toStartOfMinute(timestamp)'
  const inner = perMinute
    ? `${counts(minute, `project_id = {project:UInt64} AND ${minute} >= fromUnixTimestamp({wholeFrom:Int64}) AND ${minute} < fromUnixTimestamp({wholeTo:Int64}) AND (${where.compiled})`)}
       UNION ALL
       ${counts('timestamp', `${where.sql} AND (timestamp < fromUnixTimestamp({wholeFrom:Int64}) OR timestamp >= fromUnixTimestamp({wholeTo:Int64}))`)}`
    : counts('timestamp', `${where.sql}${source.entity}`, source.table, source.entity ? 'uniqExact(event_id)' : 'count()')
  const sql = `SELECT t, sum(n) AS count, sumIf(n, outcome = 'failure') AS failures FROM (${inner}) GROUP BY t ORDER BY t`
  const rows = await (await client.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<{ t: number; count: number; failures: number }>()
  return {
    intervalSeconds,
    source: perMinute ? 'rollup' : 'events',
    buckets: rows.map((r) => ({ start: new Date(Number(r.t) * 1000).toISOString(), count: Number(r.count), failures: Number(r.failures) })),
  }
}

/** The columns the `minute_counts` projection groups by besides project and minute. */
const projectionColumns = ['action', 'outcome']

/** Pages of a search, oldest of each page last, for exports; stops after `max` rows. */
export async function* securityEventPages(platform: Platform, projectId: string, params: Omit<SearchParams, 'limit' | 'cursor'>, max: number): AsyncGenerator<TimelineRow[]> {
  let cursor: CursorPosition | undefined
  let sent = 0
  while (sent < max) {
    const page = await searchPage(platform, [projectId], { ...params, limit: Math.min(5000, max - sent), cursor })
    if (page.data.length > 0) yield page.data
    sent += page.data.length
    if (!page.next) return
    cursor = page.next
  }
}
