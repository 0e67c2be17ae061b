/**
 * "Everything about this IP / user / session": the events where the value is the subject or
 * related (`related.ip`, `related.user`), what they did (actions and outcomes), what else they
 * touched (the users an IP tried, the IPs and countries a user came from, sessions), and the
 * errors of the same users beside them (error events with that user's id, username or email).
 */
import type { Platform } from '@faultline/core/platform'
import type { SecurityEntityKind } from '@faultline/core/event-store'
import type { QueryNode } from '@faultline/core/security'
import { ipEntityKey } from './security-entity'
import { parseQueryText, rowOf, type TimeRange, type TimelineRow } from './security-timeline'

export const PivotFields = { ip: 'ip', user: 'user', session: 'session' } as const
export type PivotField = (typeof PivotFields)[keyof typeof PivotFields]

const quote = (value: string) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`

/** The pivot as a query in the timeline's language, so it means what a search for it means. */
export function pivotQuery(field: PivotField, value: string): QueryNode {
  const v = quote(value)
  if (field === 'ip') return parseQueryText(`source.ip: ${v} or related.ip: ${v}`)
  if (field === 'user') return parseQueryText(`user.name: ${v} or user.id: ${v} or related.user: ${v}`)
  return parseQueryText(`session.id: ${v}`)
}

export interface Pivot {
  field: PivotField
  value: string
  events: number
  firstSeen: string | null
  lastSeen: string | null
  actions: { action: string; outcome: string; count: number }[]
  users: { value: string; count: number }[]
  ips: { value: string; country: string; count: number }[]
  sessions: { value: string; count: number }[]
  recent: TimelineRow[]
  errors: { eventId: string; issueId: string; title: string; timestamp: string; user: string }[]
}

/**
 * The pivot reads `security_entities` (event-store migrations 8 and 9), where the value's events are one
 * short range of the sort key: a handful of small reads however many events the project has.
 */
export async function securityPivot(platform: Platform, projectId: string, field: PivotField, value: string, range: TimeRange): Promise<Pivot> {
  const { client, database } = platform.eventStore
  const params = { ...entityRange(field, value), project: Number(projectId), from: range.from, to: range.to }
  const where = `project_id = {project:UInt64} AND entity_kind = {kind:String} AND entity BETWEEN {low:String} AND {high:String}
    AND timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND timestamp < fromUnixTimestamp64Milli({to:Int64})`
  const from = `${database}.security_entities WHERE ${where}`
  const run = async <T>(sql: string): Promise<T[]> => (await client.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<T>()
  type Counted = [value: string, count: number | string]
  // One statement for the summaries (each a scalar subquery over the same short key range), one for
  // the newest events. Every event has one action and outcome, so the action groups add up to the total.
  const [[summary], recent] = await Promise.all([
    run<{ actions: [string, string, number | string, number | string, number | string][]; users: Counted[]; ips: [string, string, number | string][]; sessions: Counted[] }>(`SELECT
      (SELECT groupArray((action, outcome, n, first, last)) FROM (SELECT action, outcome, uniqExact(event_id) AS n, toUnixTimestamp64Milli(min(timestamp)) AS first, toUnixTimestamp64Milli(max(timestamp)) AS last FROM ${from} GROUP BY action, outcome)) AS actions,
      (SELECT groupArray((v, n)) FROM (SELECT v, uniqExact(event_id) AS n FROM ${from.replace(' WHERE ', ` ARRAY JOIN ${eventUsers} AS v WHERE `)} GROUP BY v ORDER BY n DESC, v LIMIT 50)) AS users,
      (SELECT groupArray((v, c, n)) FROM (SELECT IPv6NumToString(source_ip) AS v, any(geo_country_iso_code) AS c, uniqExact(event_id) AS n FROM ${from} AND source_ip != toIPv6('::') GROUP BY source_ip ORDER BY n DESC, v LIMIT 50)) AS ips,
      (SELECT groupArray((v, n)) FROM (SELECT session_id AS v, uniqExact(event_id) AS n FROM ${from} AND session_id != '' GROUP BY v ORDER BY n DESC, v LIMIT 50)) AS sessions`),
    // The newest events in full: the entity rows hold them (event-store migration 9). An event is
    // there once per entity (a CIDR range can hold two of its IPs) and per fill: one copy each.
    run<{ at: number; id: string; payload: string }>(`SELECT toUnixTimestamp64Milli(timestamp) AS at, toString(event_id) AS id, payload FROM ${from}
      ORDER BY timestamp DESC, event_id DESC LIMIT 1 BY event_id LIMIT ${recentEvents}`),
  ])
  // groupArray need not keep its subquery's order: sorted again (stably, ties as the subquery left them).
  const byCount = <T extends { count: number }>(rows: T[]) => rows.sort((x, y) => y.count - x.count)
  const actions = byCount(summary!.actions.map(([action, outcome, n, first, last]) => ({ action, outcome, count: Number(n), first: Number(first), last: Number(last) })))
  const users = byCount(summary!.users.map(([value, n]) => ({ value, count: Number(n) })))
  const events = actions.reduce((n, a) => n + a.count, 0)
  const userValues = field === 'user' ? [value, ...users.map((u) => u.value)] : users.map((u) => u.value)
  return {
    field,
    value,
    events,
    firstSeen: events > 0 ? new Date(Math.min(...actions.map((a) => a.first))).toISOString() : null,
    lastSeen: events > 0 ? new Date(Math.max(...actions.map((a) => a.last))).toISOString() : null,
    actions: actions.slice(0, 50).map(({ action, outcome, count }) => ({ action, outcome, count })),
    users,
    ips: byCount(summary!.ips.map(([v, country, n]) => ({ value: v.startsWith('::ffff:') && v.includes('.') ? v.slice(7) : v, country, count: Number(n) }))),
    sessions: byCount(summary!.sessions.map(([value, n]) => ({ value, count: Number(n) }))),
    recent: recent.map((r) => rowOf(Number(r.at), r.payload, undefined)),
    errors: await correlatedErrors(platform, projectId, [...new Set(userValues)].slice(0, 50), range),
  }
}

const recentEvents = 20

/** The users an event names (user name and related users), as in its `user` entity rows. */
const eventUsers = "arrayDistinct(arrayFilter(x -> x != '', arrayPushBack(related_user, user_name)))"

/**
 * The entity keys the pivot covers: the IP (or CIDR range) as the hex of its IPv6 form, or the
 * user or session as given. Parsed as the same search would be, so a bad IP is a 400.
 */
function entityRange(field: PivotField, value: string): { kind: SecurityEntityKind; low: string; high: string } {
  const query = pivotQuery(field, value)
  if (field !== 'ip') return { kind: field, low: value, high: value }
  const term = query.type === 'or' ? query.children[0] : undefined
  if (term?.type !== 'term' || term.predicate.kind !== 'ipRange') throw new Error(`pivot on ${JSON.stringify(value)} did not compile to an IP range`)
  return { kind: 'ip', low: ipEntityKey(term.predicate.low), high: ipEntityKey(term.predicate.high) }
}

/** Error events of the same users in the range, newest first. */
export async function correlatedErrors(platform: Platform, projectId: string, users: string[], range: TimeRange): Promise<Pivot['errors']> {
  if (users.length === 0) return []
  const { client, database } = platform.eventStore
  const result = await client.query({
    query: `SELECT replaceAll(toString(event_id), '-', '') AS id, issue_id, title, toUnixTimestamp64Milli(timestamp) AS at,
        multiIf(user_username != '', user_username, user_id != '', user_id, user_email) AS user
      FROM ${database}.error_events
      WHERE project_id = {project:UInt64} AND timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND timestamp < fromUnixTimestamp64Milli({to:Int64})
        AND (user_id IN {users:Array(String)} OR user_username IN {users:Array(String)} OR user_email IN {users:Array(String)})
      ORDER BY timestamp DESC LIMIT 50`,
    query_params: { project: Number(projectId), from: range.from, to: range.to, users },
    format: 'JSONEachRow',
  })
  return (await result.json<{ id: string; issue_id: string; title: string; at: number; user: string }>()).map((r) => ({ eventId: r.id, issueId: r.issue_id, title: r.title, timestamp: new Date(Number(r.at)).toISOString(), user: r.user }))
}
