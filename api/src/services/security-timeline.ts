/**
 * The security timeline over `security_events`: search (the query language compiled to
 * parameterized SQL) newest first with keyset cursors, a time histogram, and the pages an export
 * streams. Every statement binds its values; only column names from the field table are written
 * into SQL.
 */
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { toUuid } from '@faultline/core/schema'
import { fieldSpec, parseSecurityQuery, queryToSql, type QueryNode, type SecurityEvent } from '@faultline/core/security'
import { encodeCursor, type CursorPosition } from './cursor'

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

function condition(projectId: string, range: TimeRange, query: QueryNode): { sql: string; params: Record<string, unknown> } {
  const compiled = queryToSql(query)
  return {
    sql: `project_id = {project:UInt64} AND timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND timestamp < fromUnixTimestamp64Milli({to:Int64}) AND (${compiled.sql})`,
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
  const page = await searchPage(platform, projectId, params)
  return { data: page.data, nextCursor: page.next && encodeCursor(page.next) }
}

async function searchPage(platform: Platform, projectId: string, params: SearchParams): Promise<{ data: TimelineRow[]; next: CursorPosition | null }> {
  const where = condition(projectId, params, params.query)
  let after = ''
  if (params.cursor) {
    after = ' AND (timestamp, event_id) < (fromUnixTimestamp64Milli({cursorAt:Int64}), toUUID({cursorId:String}))'
    where.params.cursorAt = params.cursor.value
    where.params.cursorId = toUuid(params.cursor.id)
  }
  const { client, database } = platform.eventStore
  const result = await client.query({
    query: `SELECT toUnixTimestamp64Milli(timestamp) AS at, payload FROM ${database}.security_events
      WHERE ${where.sql}${after}
      ORDER BY timestamp DESC, event_id DESC LIMIT 1 BY event_id LIMIT {limit:UInt32}`,
    query_params: { ...where.params, limit: params.limit },
    format: 'JSONEachRow',
  })
  const rows = (await result.json<{ at: number; payload: string }>()).map((r) => rowOf(Number(r.at), r.payload, params.columns))
  const last = rows.at(-1)
  return { data: rows, next: rows.length === params.limit && last ? { value: Date.parse(last['@timestamp']), id: last.id } : null }
}

const intervals = [1, 5, 10, 30, 60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400]

export async function securityHistogram(platform: Platform, projectId: string, range: TimeRange, query: QueryNode, maxBuckets = 120): Promise<{ intervalSeconds: number; buckets: { start: string; count: number; failures: number }[] }> {
  const seconds = (range.to - range.from) / 1000
  const intervalSeconds = intervals.find((s) => seconds / s <= maxBuckets) ?? 86400
  const where = condition(projectId, range, query)
  const { client, database } = platform.eventStore
  const result = await client.query({
    query: `SELECT toUnixTimestamp(toStartOfInterval(timestamp, toIntervalSecond({interval:UInt32}))) AS t, uniqExact(event_id) AS count,
        uniqExactIf(event_id, outcome = 'failure') AS failures
      FROM ${database}.security_events WHERE ${where.sql} GROUP BY t ORDER BY t`,
    query_params: { ...where.params, interval: intervalSeconds },
    format: 'JSONEachRow',
  })
  const rows = await result.json<{ t: number; count: number; failures: number }>()
  return { intervalSeconds, buckets: rows.map((r) => ({ start: new Date(Number(r.t) * 1000).toISOString(), count: Number(r.count), failures: Number(r.failures) })) }
}

/** Pages of a search, oldest of each page last, for exports; stops after `max` rows. */
export async function* securityEventPages(platform: Platform, projectId: string, params: Omit<SearchParams, 'limit' | 'cursor'>, max: number): AsyncGenerator<TimelineRow[]> {
  let cursor: CursorPosition | undefined
  let sent = 0
  while (sent < max) {
    const page = await searchPage(platform, projectId, { ...params, limit: Math.min(5000, max - sent), cursor })
    if (page.data.length > 0) yield page.data
    sent += page.data.length
    if (!page.next) return
    cursor = page.next
  }
}
