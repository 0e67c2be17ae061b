/**
 * The security timeline's URL and its query text: `?q=event.action: authn_login_fail&range=24h
 * &columns=@timestamp,event.action,source.ip` or an explicit `from`/`to` (ISO, from a histogram
 * zoom or a detection), and `event=<id>` for the event open in full. The URL is the only place the view lives, so it reloads and can be shared.
 * The language itself is parsed and checked by the API (`core/src/security/query`); here we only
 * add terms to it and read values out of rows.
 */
import { severityLevels } from '$server/core/security/vocabulary'
import type { HistogramBucket, PivotField, SecurityEvent, TimelineRow } from '$lib/api/security'

/** The fields of the query language, in the order the column picker offers them. */
export const securityFields = [
  '@timestamp', 'event.action', 'event.outcome', 'event.severity', 'event.category', 'event.type', 'event.kind', 'event.dataset', 'event.provider', 'event.reason', 'event.id',
  'message', 'source.ip', 'source.port', 'source.geo.country_iso_code', 'source.geo.country_name', 'user.id', 'user.name', 'user.email', 'user_agent.original', 'url.original',
  'http.request.method', 'http.response.status_code', 'related.ip', 'related.user', 'related.hosts', 'trace.id', 'span.id', 'session.id', 'replay.id',
] as const

export const defaultColumns = ['@timestamp', 'event.action', 'event.outcome', 'event.severity', 'source.ip', 'source.geo.country_iso_code', 'user.name', 'message']

export const ranges = { '15m': 'Last 15 minutes', '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days', '90d': 'Last 90 days' } as const
export type Range = keyof typeof ranges
const rangeMs: Record<Range, number> = { '15m': 900_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, '90d': 90 * 86_400_000 }

/** A time range by name, or an explicit window that overrides it. */
export type TimeSpec = Pick<TimelineParams, 'range' | 'from' | 'to'>

export interface TimelineParams {
  q: string
  range: Range
  /** An explicit window (epoch ms) overrides `range`. */
  from?: number
  to?: number
  columns: string[]
  /** The event shown in full (the detail flyout). */
  event?: string
}

const known = new Set<string>(securityFields)

export function readTimelineParams(search: URLSearchParams): TimelineParams {
  const range = search.get('range')
  const from = Date.parse(search.get('from') ?? '')
  const to = Date.parse(search.get('to') ?? '')
  const columns = (search.get('columns') ?? '').split(',').filter((c) => known.has(c))
  return {
    q: search.get('q') ?? '',
    range: range && range in ranges ? (range as Range) : '24h',
    ...(Number.isFinite(from) && Number.isFinite(to) && from < to && { from, to }),
    columns: columns.length > 0 ? columns : defaultColumns,
    ...(/^[0-9a-f]{32}$/.test(search.get('event') ?? '') && { event: search.get('event')! }),
  }
}

/** The search part of a timeline URL; defaults are left out so links stay short. */
export function timelineSearch(params: Partial<TimelineParams>): string {
  const search = new URLSearchParams()
  if (params.q) search.set('q', params.q)
  if (params.from !== undefined && params.to !== undefined) {
    search.set('from', new Date(params.from).toISOString())
    search.set('to', new Date(params.to).toISOString())
  } else if (params.range && params.range !== '24h') search.set('range', params.range)
  if (params.columns && params.columns.join(',') !== defaultColumns.join(',')) search.set('columns', params.columns.join(','))
  if (params.event) search.set('event', params.event)
  const text = search.toString()
  return text ? `?${text}` : ''
}

export function timeWindow(params: Pick<TimelineParams, 'range' | 'from' | 'to'>, now = Date.now()): { startDate: number; endDate: number } {
  if (params.from !== undefined && params.to !== undefined) return { startDate: params.from, endDate: params.to }
  return { startDate: now - rangeMs[params.range], endDate: now }
}

/** A value as the language reads it: bare when it is a plain word, else double-quoted with escapes (so `*` is literal). */
export function quoteValue(value: string): string {
  const bare = /^[\w.@:/-]+$/.test(value) && !/^(and|or|not)$/i.test(value)
  return bare ? value : `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`
}

/** The query with one more term; `not` for "exclude this value". An empty query becomes the term alone. */
export function withFilter(query: string, field: string, value: string, exclude = false): string {
  const term = `${exclude ? 'not ' : ''}${field}: ${quoteValue(value)}`
  const current = query.trim()
  if (!current) return term
  return /\bor\b/i.test(current) ? `(${current}) and ${term}` : `${current} and ${term}`
}

/** The value of a field in a row: from the chosen columns (where a severity comes as its rank), or read out of the whole event. */
export function fieldValue(row: TimelineRow, field: string): unknown {
  if (row.fields) {
    const value = row.fields[field]
    return field === 'event.severity' && typeof value === 'number' ? severityLevels[value] : value
  }
  if (field === '@timestamp') return row['@timestamp']
  if (!row.event) return undefined
  return field.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), row.event satisfies SecurityEvent)
}

/** Which pivot a field's value opens: IPs, users and sessions. */
export function pivotOf(field: string): PivotField | null {
  if (field === 'source.ip' || field === 'related.ip') return 'ip'
  if (field === 'user.name' || field === 'user.id' || field === 'related.user') return 'user'
  if (field === 'session.id') return 'session'
  return null
}

/** A pivot's page over the same time as the page it is opened from. */
export function pivotHref(projectId: string, field: PivotField, value: string, time?: TimeSpec): string {
  const search = new URLSearchParams({ field, value })
  for (const [key, v] of new URLSearchParams(time ? timelineSearch(time) : '')) search.set(key, v)
  return `/projects/${projectId}/security/pivot?${search}`
}

export function timelineHref(projectId: string, params: Partial<TimelineParams>): string {
  return `/projects/${projectId}/security${timelineSearch(params)}`
}

/** The search that finds exactly these events (the language takes `event.id: (a or b ...)`). */
export function eventIdsQuery(ids: string[]): string {
  return ids.length === 0 ? '' : `event.id: (${ids.join(' or ')})`
}

/** The pivot as a timeline search (as the API's pivot means it): the value as subject or related. */
export function pivotSearch(field: PivotField, value: string): string {
  const v = quoteValue(value)
  if (field === 'ip') return `source.ip: ${v} or related.ip: ${v}`
  if (field === 'user') return `user.name: ${v} or user.id: ${v} or related.user: ${v}`
  return `session.id: ${v}`
}

/** Every bucket of the window, empty ones included (the API sends only buckets with events), so bars sit where their time is. */
export function histogramSlots(buckets: HistogramBucket[], intervalSeconds: number, span: { startDate: number; endDate: number }): HistogramBucket[] {
  const step = intervalSeconds * 1000
  const counted = new Map(buckets.map((b) => [Date.parse(b.start), b]))
  const slots: HistogramBucket[] = []
  for (let at = Math.floor(span.startDate / step) * step; at < span.endDate && slots.length < 1000; at += step) {
    slots.push(counted.get(at) ?? { start: new Date(at).toISOString(), count: 0, failures: 0 })
  }
  return slots
}
