/** Where an event sits among its issue's events: the oldest, the one before, the one after, the latest. */
import type { Platform } from '@faultline/core/platform'
import type { IssueDoc } from '@faultline/core/issues'
import { compactEventId, toUuid } from '@faultline/core/schema'

export interface EventNeighbours {
  oldest: string | null
  previous: string | null
  next: string | null
  latest: string | null
}

type Db = Pick<Platform, 'eventStore'>

/**
 * Neighbours of `eventId` in (timestamp, event id as text) order, the order of the issue's event
 * list; null when the event is not the issue's.
 */
export async function eventNeighbours(db: Db, issue: IssueDoc, eventId: string): Promise<EventNeighbours | null> {
  const { client, database } = db.eventStore
  const scope = `project_id = {project:UInt64} AND fingerprint IN {fingerprints:Array(String)}`
  const pick = (where: string, order: 'ASC' | 'DESC', which: string) =>
    `(SELECT '${which}' AS which, toString(event_id) AS id FROM ${database}.error_events WHERE ${scope} ${where} ORDER BY timestamp ${order}, id ${order} LIMIT 1)`
  const at = `(timestamp, toString(event_id)) %s (SELECT timestamp, toString(event_id) FROM ${database}.error_events WHERE ${scope} AND event_id = {event:UUID} LIMIT 1)`
  const result = await client.query({
    query: [
      `(SELECT 'current' AS which, toString(event_id) AS id FROM ${database}.error_events WHERE ${scope} AND event_id = {event:UUID} LIMIT 1)`,
      pick('', 'ASC', 'oldest'),
      pick(`AND ${at.replace('%s', '<')}`, 'DESC', 'previous'),
      pick(`AND ${at.replace('%s', '>')}`, 'ASC', 'next'),
      pick('', 'DESC', 'latest'),
    ].join(' UNION ALL '),
    query_params: { project: Number(issue.projectId), fingerprints: issue.fingerprints, event: toUuid(eventId) },
    format: 'JSONEachRow',
  })
  const rows = new Map((await result.json<{ which: string; id: string }>()).map((r) => [r.which, compactEventId(r.id)]))
  if (!rows.has('current')) return null
  return { oldest: rows.get('oldest') ?? null, previous: rows.get('previous') ?? null, next: rows.get('next') ?? null, latest: rows.get('latest') ?? null }
}
