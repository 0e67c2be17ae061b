/**
 * A data-subject export (GDPR article 15): everything held about one end user of a project, as
 * NDJSON. One line per stored event (its columns and the stored payload), one per issue those
 * events belong to, and a summary line last. Events are read in pages by (timestamp, id), so an
 * export of any size streams in bounded memory.
 */
import type { Platform } from '@faultline/core/platform'
import { matchSubject, subjectCondition, type DataSubject, type SubjectMatch } from './data-subject'
import { issueView } from './issue-views'

const PAGE = 500

export async function exportSubject(
  platform: Pick<Platform, 'eventStore' | 'issues' | 'secrets'>,
  orgId: string,
  projectId: string,
  subject: DataSubject,
): Promise<{ stream: ReadableStream<Uint8Array>; hashed: SubjectMatch['hashed'] }> {
  const match = await matchSubject(platform, projectId, subject)
  const { where, params } = subjectCondition(projectId, match)
  const { client, database } = platform.eventStore
  const encoder = new TextEncoder()
  const line = (value: unknown) => encoder.encode(`${JSON.stringify(value)}\n`)
  const issueIds = new Set<string>()
  let after: { ms: number; eventId: string } | undefined
  let events = 0
  let finished = false

  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (finished) return
      const rows = await (
        await client.query({
          query: `SELECT *, toUnixTimestamp64Milli(timestamp) AS timestamp_ms FROM ${database}.error_events WHERE ${where}
                  ${after ? 'AND (toUnixTimestamp64Milli(timestamp), event_id) > ({afterMs:Int64}, {afterId:UUID})' : ''}
                  ORDER BY timestamp, event_id LIMIT ${PAGE}`,
          query_params: after ? { ...params, afterMs: after.ms, afterId: after.eventId } : params,
          format: 'JSONEachRow',
        })
      ).json<Record<string, unknown> & { timestamp_ms: number; event_id: string; issue_id: string; payload: string }>()
      for (const { timestamp_ms: _ms, ...row } of rows) {
        issueIds.add(row.issue_id)
        controller.enqueue(line({ type: 'event', event: { ...row, payload: parsePayload(row.payload) } }))
      }
      events += rows.length
      const last = rows.at(-1)
      if (last && rows.length === PAGE) {
        after = { ms: Number(last.timestamp_ms), eventId: last.event_id }
        return
      }
      for (const issue of await platform.issues.issues.getMany(orgId, [...issueIds])) controller.enqueue(line({ type: 'issue', issue: issueView(issue) }))
      controller.enqueue(line({ type: 'summary', projectId, subject: match.hashed, events, issues: issueIds.size, exportedAt: new Date().toISOString() }))
      finished = true
      controller.close()
    },
  })
  return { stream, hashed: match.hashed }
}

function parsePayload(payload: string): unknown {
  try {
    return JSON.parse(payload)
  } catch {
    return payload
  }
}
