/** Reads for the issue list and issue pages: metadata for the issues, ClickHouse for their events. */
import type { Platform } from '@faultline/core/platform'
import { fingerprintKey, fingerprintOwners, type IssueDoc } from '@faultline/core/issues'
import type { Filter, Sort } from '@faultline/core/ports'
import { encodeCursor, type CursorPosition } from './cursor'
import { compactEventId, toUuid } from '@faultline/core/schema'
import { isoTime, issueView, type IssueView } from './issue-views'

export const IssueSorts = { lastSeen: 'last_seen', firstSeen: 'first_seen', events: 'events', users: 'users' } as const
export type IssueSort = (typeof IssueSorts)[keyof typeof IssueSorts]

const sortFields: Record<IssueSort, string> = { last_seen: 'lastSeen', first_seen: 'firstSeen', events: 'eventCount', users: 'userCount' }

export const StatsPeriods = { '1h': { buckets: 60, minutes: 1 }, '24h': { buckets: 24, minutes: 60 }, '14d': { buckets: 14, minutes: 1440 } } as const
export type StatsPeriod = keyof typeof StatsPeriods

export interface IssueListParams {
  status: 'unresolved' | 'resolved' | 'resolved_in_next_release' | 'ignored' | 'all'
  level?: string
  environment?: string
  release?: string
  since?: number
  until?: number
  query?: string
  sort: IssueSort
  cursor?: CursorPosition
  limit: number
  stats?: StatsPeriod
  /** Only these issues (a tag search's answer). */
  issueIds?: string[]
  /** Only issues assigned to this user; null: unassigned ones. */
  assigneeId?: string | null
}

type Db = Pick<Platform, 'issues' | 'eventStore'>

export async function listIssues(db: Db, orgId: string, projectId: string, params: IssueListParams, now = Date.now()): Promise<{ data: IssueView[]; nextCursor: string | null }> {
  const filter: Filter = { projectId }
  filter.status = params.status === 'all' ? { $ne: 'merged' } : params.status
  if (params.level) filter.level = params.level
  if (params.environment) filter.environments = { $has: params.environment }
  if (params.release) filter.releases = { $has: params.release }
  if (params.since !== undefined) filter.lastSeen = { $gte: params.since }
  if (params.until !== undefined) filter.firstSeen = { $lte: params.until }
  if (params.query) filter.searchText = { $contains: params.query.toLowerCase() }
  if (params.issueIds) filter._id = { $in: params.issueIds }
  if (params.assigneeId !== undefined) filter.assigneeId = params.assigneeId
  const sort: Sort = { field: sortFields[params.sort], direction: 'desc' }
  const docs = await db.issues.issues.find(orgId, filter, { sort, limit: params.limit + 1, after: params.cursor })
  const page = docs.slice(0, params.limit)
  const views = page.map(issueView)
  if (params.stats) await attachStats(db, projectId, page, views, params.stats, now)
  const last = page.at(-1)
  const more = docs.length > params.limit && last
  return { data: views, nextCursor: more ? encodeCursor({ value: last[sortFields[params.sort] as keyof IssueDoc] as number, id: last._id }) : null }
}

/** Event counts per time bucket for sparklines, one query for the whole page. */
async function attachStats(db: Db, projectId: string, docs: IssueDoc[], views: IssueView[], period: StatsPeriod, now: number): Promise<void> {
  const { buckets, minutes } = StatsPeriods[period]
  const bucketMs = minutes * 60_000
  const end = Math.floor(now / bucketMs) * bucketMs + bucketMs
  const start = end - buckets * bucketMs
  const { fingerprints, issueIds } = fingerprintOwners(docs)
  const series = new Map(docs.map((doc) => [doc._id, new Array<number>(buckets).fill(0)]))
  if (fingerprints.length > 0) {
    const { client, database } = db.eventStore
    const result = await client.query({
      query: `SELECT transform(fingerprint, {fingerprints:Array(String)}, {issues:Array(String)}, '') AS issue,
                intDiv(toUnixTimestamp(minute) * 1000 - {start:Int64}, {bucketMs:Int64}) AS bucket, sum(events) AS events
              FROM ${database}.fingerprint_minute FINAL
              WHERE project_id = {project:UInt64} AND fingerprint IN {fingerprints:Array(String)}
                AND minute >= toDateTime({start:Int64} / 1000) AND minute < toDateTime({end:Int64} / 1000)
              GROUP BY issue, bucket`,
      query_params: { project: Number(projectId), fingerprints, issues: issueIds, start, end, bucketMs },
      format: 'JSONEachRow',
    })
    for (const row of await result.json<{ issue: string; bucket: number; events: number }>()) {
      const values = series.get(row.issue)
      if (values && row.bucket >= 0 && row.bucket < buckets) values[row.bucket] = Number(row.events)
    }
  }
  views.forEach((view, i) => {
    const values = series.get(docs[i]!._id)!
    view.stats = values.map((count, b) => [new Date(start + b * bucketMs).toISOString(), count])
  })
}

export interface EventSummary {
  eventId: string
  issueId: string
  timestamp: string
  title: string
  message: string
  level: string
  environment: string
  release: string
  userKey: string
  tags: Record<string, string>
}

// Aliased `id`: an alias named like the column would shadow it in WHERE.
export const summaryColumns = `toString(event_id) AS id, issue_id, timestamp, title, message, level, environment, release, user_key, tags`

export interface SummaryRow {
  id: string
  issue_id: string
  timestamp: string
  title: string
  message: string
  level: string
  environment: string
  release: string
  user_key: string
  tags: Record<string, string>
}

export function summary(row: SummaryRow, issueId: string): EventSummary {
  return {
    eventId: compactEventId(row.id),
    issueId,
    timestamp: isoTime(row.timestamp),
    title: row.title,
    message: row.message,
    level: row.level,
    environment: row.environment,
    release: row.release,
    userKey: row.user_key,
    tags: row.tags,
  }
}

export async function listIssueEvents(db: Db, issue: IssueDoc, params: { cursor?: CursorPosition; limit: number }): Promise<{ data: EventSummary[]; nextCursor: string | null }> {
  const after = params.cursor
  const { client, database } = db.eventStore
  const result = await client.query({
    query: `SELECT ${summaryColumns} FROM ${database}.error_events
            WHERE project_id = {project:UInt64} AND fingerprint IN {fingerprints:Array(String)}
              ${after ? 'AND (timestamp, id) < (fromUnixTimestamp64Milli({afterTime:Int64}), {afterId:String})' : ''}
            ORDER BY timestamp DESC, id DESC
            LIMIT 1 BY event_id
            LIMIT {limit:UInt32}`,
    query_params: { project: Number(issue.projectId), fingerprints: issue.fingerprints, limit: params.limit + 1, afterTime: after?.value ?? 0, afterId: after?.id ?? '' },
    format: 'JSONEachRow',
  })
  const rows = await result.json<SummaryRow>()
  const page = rows.slice(0, params.limit)
  const last = page.at(-1)
  return {
    data: page.map((row) => summary(row, issue._id)),
    nextCursor: rows.length > params.limit && last ? encodeCursor({ value: Date.parse(isoTime(last.timestamp)), id: last.id }) : null,
  }
}

export interface FullEvent extends EventSummary {
  fingerprint: string
  groupingStrategy: string
  /** The normalized event: exceptions with frames, breadcrumbs, contexts, request, user, sdk. */
  payload: Record<string, unknown>
}

type FullEventRow = SummaryRow & { fingerprint: string; grouping_strategy: string; payload: string }
const fullEventColumns = `${summaryColumns}, fingerprint, grouping_strategy, payload`

/** One event in full, or null. `issueId` is the event's current issue (after merges). */
export async function getEvent(db: Db & Pick<Platform, 'issues'>, orgId: string, projectId: string, eventId: string): Promise<FullEvent | null> {
  const { client, database } = db.eventStore
  const result = await client.query({
    query: `SELECT ${fullEventColumns} FROM ${database}.error_events
            WHERE project_id = {project:UInt64} AND event_id = {eventId:UUID} LIMIT 1`,
    query_params: { project: Number(projectId), eventId: toUuid(eventId) },
    format: 'JSONEachRow',
  })
  const [row] = await result.json<FullEventRow>()
  if (!row) return null
  const mapping = await db.issues.fingerprints.get(orgId, fingerprintKey(projectId, row.fingerprint))
  return fullEvent(row, mapping?.issueId ?? row.issue_id)
}

/**
 * The issue's latest event in full (ties on the timestamp broken by the event id as text, as the
 * event list and navigation order them), or null. One read along the table's sort key, rather
 * than finding its id first and then looking the id up across the project.
 */
export async function latestEvent(db: Db, issue: IssueDoc): Promise<FullEvent | null> {
  const { client, database } = db.eventStore
  const result = await client.query({
    query: `SELECT ${fullEventColumns} FROM ${database}.error_events
            WHERE project_id = {project:UInt64} AND fingerprint IN {fingerprints:Array(String)}
            ORDER BY timestamp DESC, id DESC LIMIT 1`,
    query_params: { project: Number(issue.projectId), fingerprints: issue.fingerprints },
    format: 'JSONEachRow',
  })
  const [row] = await result.json<FullEventRow>()
  return row ? fullEvent(row, issue._id) : null
}

function fullEvent(row: FullEventRow, issueId: string): FullEvent {
  return {
    ...summary(row, issueId),
    fingerprint: row.fingerprint,
    groupingStrategy: row.grouping_strategy,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
  }
}

export interface TagSummary {
  key: string
  totalCount: number
  topValues: { value: string; count: number }[]
}

/** The most common values of each tag among the issue's events (environment and release included). */
export async function issueTags(db: Db, issue: IssueDoc, topN = 5): Promise<TagSummary[]> {
  const { client, database } = db.eventStore
  const result = await client.query({
    query: `SELECT key, value, count() AS n, sum(n) OVER (PARTITION BY key) AS total
            FROM ${database}.error_events
            ARRAY JOIN
              arrayConcat(mapKeys(tags), ['environment', 'release', 'level']) AS key,
              arrayConcat(mapValues(tags), [environment, release, level]) AS value
            WHERE project_id = {project:UInt64} AND fingerprint IN {fingerprints:Array(String)} AND value != ''
            GROUP BY key, value
            ORDER BY key, n DESC, value
            LIMIT {topN:UInt32} BY key`,
    query_params: { project: Number(issue.projectId), fingerprints: issue.fingerprints, topN },
    format: 'JSONEachRow',
  })
  const tags = new Map<string, TagSummary>()
  for (const row of await result.json<{ key: string; value: string; n: number; total: number }>()) {
    let tag = tags.get(row.key)
    if (!tag) tags.set(row.key, (tag = { key: row.key, totalCount: Number(row.total), topValues: [] }))
    tag.topValues.push({ value: row.value, count: Number(row.n) })
  }
  return [...tags.values()]
}
