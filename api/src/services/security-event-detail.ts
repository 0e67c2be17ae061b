/**
 * One security event in full (the analyst's detail flyout): the stored ECS document, when it was
 * received, and where it leads: the trace, span, session and replay it names, each with the count
 * of this project's security events sharing it and the error events of the same trace or replay,
 * both within a day either side of the event (so the cost stays bounded on a large project). An
 * id is looked up through the table's event-id skip index, so no time range is needed.
 */
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { compactEventId, toUuid } from '@faultline/core/schema'
import type { SecurityEvent } from '@faultline/core/security'

export const EventLinkFields = { trace: 'trace.id', span: 'span.id', session: 'session.id', replay: 'replay.id' } as const
export type EventLinkField = (typeof EventLinkFields)[keyof typeof EventLinkFields]

export interface SecurityEventLink {
  field: EventLinkField
  value: string
  /** Security events of the project with the same value within a day of this one, this one included. */
  securityEvents: number
}

export interface SecurityEventDetail {
  id: string
  '@timestamp': string
  receivedAt: string
  event: SecurityEvent
  links: SecurityEventLink[]
  /** Error events of the same trace or replay within a day of this one, newest first (at most 20). */
  errors: { eventId: string; issueId: string; title: string; timestamp: string; via: 'trace.id' | 'replay.id' }[]
}

const nearby = 24 * 3600_000
const within = 'timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND timestamp < fromUnixTimestamp64Milli({to:Int64})'

const columnOf: Record<EventLinkField, string> = { 'trace.id': 'trace_id', 'span.id': 'span_id', 'session.id': 'session_id', 'replay.id': 'replay_id' }

export async function securityEventDetail(platform: Platform, projectId: string, eventId: string): Promise<SecurityEventDetail> {
  const { client, database } = platform.eventStore
  const found = await client.query({
    query: `SELECT toUnixTimestamp64Milli(timestamp) AS at, toUnixTimestamp64Milli(received_at) AS received, payload FROM ${database}.security_events
      WHERE project_id = {project:UInt64} AND event_id = {event:UUID} ORDER BY received_at DESC LIMIT 1`,
    query_params: { project: Number(projectId), event: toUuid(eventId) },
    format: 'JSONEachRow',
  })
  const [row] = await found.json<{ at: number; received: number; payload: string }>()
  if (!row) throw httpError(404, `No security event ${eventId} in project ${projectId} (it may be older than the project's retention, or not processed yet)`)
  const event = JSON.parse(row.payload) as SecurityEvent
  const named = Object.values(EventLinkFields).flatMap((field) => {
    const value = valueOf(event, field)
    return value ? [{ field, value }] : []
  })
  const around = { project: Number(projectId), from: Number(row.at) - nearby, to: Number(row.at) + nearby }
  const [links, errors] = await Promise.all([Promise.all(named.map(async (link) => ({ ...link, securityEvents: await sharing(platform, around, link.field, link.value) }))), relatedErrors(platform, around, event)])
  return { id: eventId, '@timestamp': new Date(Number(row.at)).toISOString(), receivedAt: new Date(Number(row.received)).toISOString(), event, links, errors }
}

function valueOf(event: SecurityEvent, field: EventLinkField): string | undefined {
  if (field === 'trace.id') return event.trace?.id
  if (field === 'span.id') return event.span?.id
  if (field === 'session.id') return event.session?.id
  return event.replay?.id
}

type Around = { project: number; from: number; to: number }

async function sharing(platform: Platform, around: Around, field: EventLinkField, value: string): Promise<number> {
  const { client, database } = platform.eventStore
  const result = await client.query({
    query: `SELECT uniqExact(event_id) AS n FROM ${database}.security_events WHERE project_id = {project:UInt64} AND ${within} AND ${columnOf[field]} = {value:String}`,
    query_params: { ...around, value },
    format: 'JSONEachRow',
  })
  return Number((await result.json<{ n: number }>())[0]?.n ?? 0)
}

async function relatedErrors(platform: Platform, around: Around, event: SecurityEvent): Promise<SecurityEventDetail['errors']> {
  const trace = event.trace?.id ?? ''
  const replay = event.replay?.id ?? ''
  if (!trace && !replay) return []
  const { client, database } = platform.eventStore
  const result = await client.query({
    query: `SELECT toString(event_id) AS id, issue_id, title, toUnixTimestamp64Milli(timestamp) AS at, if({trace:String} != '' AND trace_id = {trace:String}, 'trace.id', 'replay.id') AS via
      FROM ${database}.error_events
      WHERE project_id = {project:UInt64} AND ${within} AND (({trace:String} != '' AND trace_id = {trace:String}) OR ({replay:String} != '' AND replay_id = {replay:String}))
      ORDER BY timestamp DESC LIMIT 20`,
    query_params: { ...around, trace, replay },
    format: 'JSONEachRow',
  })
  return (await result.json<{ id: string; issue_id: string; title: string; at: number; via: 'trace.id' | 'replay.id' }>()).map((r) => ({
    eventId: compactEventId(r.id),
    issueId: r.issue_id,
    title: r.title,
    timestamp: new Date(Number(r.at)).toISOString(),
    via: r.via,
  }))
}
