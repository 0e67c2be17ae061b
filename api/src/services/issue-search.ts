/**
 * What the issue list adds for search and triage beyond the issue documents: filters on event
 * tags and user fields (answered by ClickHouse, as the issues owning the matching fingerprints),
 * the assignee filter, and per row the assignee and the anomaly marker (the highest stored
 * anomaly score of the issue's series in the list's window, when at or above the model's threshold).
 */
import type { Context } from 'hono'
import { z } from 'zod'
import type { Platform } from '@faultline/core/platform'
import { httpError } from '@faultline/core/http'
import { fingerprintKey } from '@faultline/core/issues'
import { scoreThreshold } from '@faultline/intelligence'
import type { IssueView } from './issue-views'
import { StatsPeriods, type StatsPeriod } from './issue-queries'
import type { Principal } from '../permissions'

type Db = Pick<Platform, 'eventStore' | 'issues' | 'accounts' | 'logger'>

export interface TagFilter {
  key: string
  value: string
}

/** Event columns a `key:value` term names directly; any other key is a tag. */
export const eventFields: Record<string, string> = {
  release: 'release',
  environment: 'environment',
  'user.email': 'user_email',
  'user.id': 'user_id',
  'user.username': 'user_username',
  'user.ip': 'user_ip',
  server_name: 'server_name',
  transaction: 'transaction',
  logger: 'logger',
  'sdk.name': 'sdk_name',
}

export const maxTagFilters = 10
/** More matching fingerprints than this and the search must be narrowed (one $in over the issues). */
export const maxMatchedFingerprints = 20_000

const tagFilter = z
  .string()
  .max(400)
  .regex(/^[A-Za-z_][\w.-]{0,199}:.+$/s, 'must be key:value')
  .transform((term) => {
    const at = term.indexOf(':')
    return { key: term.slice(0, at), value: term.slice(at + 1) }
  })

/** The repeated `tag=key:value` query parameters. */
export function parseTagFilters(c: Context): TagFilter[] {
  const raw = c.req.queries('tag') ?? []
  if (raw.length > maxTagFilters) throw httpError(400, `Invalid query: at most ${maxTagFilters} tag filters`)
  return raw.map((term, i) => {
    const parsed = tagFilter.safeParse(term)
    if (!parsed.success) throw httpError(400, `Invalid query: tag[${i}]: ${parsed.error.issues[0]!.message}`)
    return parsed.data
  })
}

/** The SQL of a key's value in error_events: its column, or the tag (binding the key as `param`). */
export function eventValueSql(key: string, params: Record<string, unknown>, param: string): string {
  const column = Object.hasOwn(eventFields, key) ? eventFields[key] : undefined
  if (column) return column
  params[param] = key
  return `tags[{${param}:String}]`
}

/** Ids of the issues with at least one event in [since, until] matching every filter. */
export async function issuesMatchingTags(db: Db, orgId: string, projectId: string, tags: TagFilter[], since?: number, until?: number): Promise<string[]> {
  const conditions: string[] = []
  const params: Record<string, unknown> = { project: Number(projectId), limit: maxMatchedFingerprints + 1 }
  tags.forEach(({ key, value }, i) => {
    params[`v${i}`] = value
    conditions.push(`${eventValueSql(key, params, `k${i}`)} = {v${i}:String}`)
  })
  if (since !== undefined) {
    params.since = since
    conditions.push('timestamp >= fromUnixTimestamp64Milli({since:Int64})')
  }
  if (until !== undefined) {
    params.until = until
    conditions.push('timestamp <= fromUnixTimestamp64Milli({until:Int64})')
  }
  const { client, database } = db.eventStore
  const result = await client.query({
    query: `SELECT DISTINCT fingerprint FROM ${database}.error_events
            WHERE project_id = {project:UInt64} AND ${conditions.join(' AND ')}
            LIMIT {limit:UInt32}`,
    query_params: params,
    format: 'JSONEachRow',
  })
  const fingerprints = (await result.json<{ fingerprint: string }>()).map((r) => r.fingerprint)
  if (fingerprints.length > maxMatchedFingerprints) throw httpError(400, `The tag filters match events of more than ${maxMatchedFingerprints} fingerprints: add a filter or a shorter time range`)
  const mappings = await db.issues.fingerprints.getMany(orgId, fingerprints.map((f) => fingerprintKey(projectId, f)))
  return [...new Set(mappings.map((m) => m.issueId))]
}

/** `me`, `none` or a user id → the assignee filter (null: unassigned). */
export function assigneeFilter(assigned: string | undefined, principal: Principal): string | null | undefined {
  if (assigned === undefined) return undefined
  if (assigned === 'none') return null
  if (assigned === 'me') {
    if (!principal.user) throw httpError(400, 'assigned=me needs a signed-in user or a personal token')
    return principal.user._id
  }
  if (!/^[1-9][0-9]{0,17}$/.test(assigned)) throw httpError(400, 'Invalid query: assigned: must be me, none or a user id')
  return assigned
}

export interface AssigneeView {
  id: string
  email: string
  name: string
}

/** Each row's assignee as a user (id, email, name); one read for the page. */
export async function attachAssignees(db: Db, views: (IssueView & { assignee?: AssigneeView | null })[]): Promise<void> {
  const ids = [...new Set(views.map((v) => v.assigneeId).filter((id): id is string => id !== undefined))]
  const users = new Map((ids.length > 0 ? await db.accounts.users.getMany(ids) : []).map((u) => [u._id, u]))
  for (const view of views) {
    const user = view.assigneeId ? users.get(view.assigneeId) : undefined
    view.assignee = user ? { id: user._id, email: user.email, name: user.name } : null
  }
}

export interface AnomalyMarker {
  score: number
  minute: string
  threshold: number
}

/** The highest anomaly score of each row's issue series since `since`, when anomalous; one query for the page. */
export async function attachAnomalies(db: Db, projectId: string, views: (IssueView & { anomaly?: AnomalyMarker | null })[], since: number): Promise<void> {
  if (views.length === 0) return
  const { client, database } = db.eventStore
  const result = await client.query({
    query: `SELECT series_id, max(score) AS top, toString(argMax(minute, score)) AS at FROM ${database}.anomaly_scores FINAL
            WHERE project_id = {project:UInt64} AND series_kind = 'issue' AND series_id IN {ids:Array(String)}
              AND minute >= toDateTime({since:UInt32})
            GROUP BY series_id`,
    query_params: { project: Number(projectId), ids: views.map((v) => v.id), since: Math.floor(since / 1000) },
    format: 'JSONEachRow',
  })
  const rows = new Map((await result.json<{ series_id: string; top: number; at: string }>()).map((r) => [r.series_id, r]))
  const threshold = scoreThreshold('medium')
  for (const view of views) {
    const row = rows.get(view.id)
    view.anomaly = row && Number(row.top) >= threshold ? { score: Number(row.top), minute: `${row.at.replace(' ', 'T')}Z`, threshold } : null
  }
}

/** A list page's rows with their assignees, and with anomaly markers over the sparkline window when stats were asked for. */
export async function decorateIssueRows(db: Db, projectId: string, views: IssueView[], stats: StatsPeriod | undefined, now = Date.now()): Promise<void> {
  await attachAssignees(db, views)
  if (stats) {
    const { buckets, minutes } = StatsPeriods[stats]
    await attachAnomalies(db, projectId, views, now - buckets * minutes * 60_000)
  }
}
