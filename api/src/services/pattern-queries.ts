/**
 * Reads for message patterns: counts, times, series and fingerprints from the per-template
 * rollup in ClickHouse; live template texts and merge aliases from the miner state the processor
 * saves; issues from the fingerprint mapping.
 */
import type { Platform } from '@faultline/core/platform'
import { fingerprintKey, IssueStatuses, type IssueDoc } from '@faultline/core/issues'
import { httpError } from '@faultline/core/http'
import { encodeCursor, type CursorPosition } from './cursor'
import { StatsPeriods, summary, summaryColumns, type EventSummary, type StatsPeriod, type SummaryRow } from './issue-queries'
import { isoTime } from './issue-views'
import { templateDirectory, type TemplateDirectory } from './pattern-directory'

export const PatternSorts = { count: 'count', lastSeen: 'last_seen' } as const
export type PatternSort = (typeof PatternSorts)[keyof typeof PatternSorts]

export interface PatternListParams {
  sort: PatternSort
  stats: StatsPeriod
  cursor?: CursorPosition
  limit: number
}

export interface PatternIssue {
  id: string
  title: string
  status: string
}

export interface PatternView {
  id: string
  template: string
  count: number
  firstSeen: string
  lastSeen: string
  /** The issues whose events carry this template (from at most 100 fingerprints). */
  issues: PatternIssue[]
  stats: [string, number][]
}

type Db = Pick<Platform, 'issues' | 'eventStore' | 'metadata'>

interface PatternRow {
  live: string
  total: string
  first_ms: string
  last_ms: string
  fingerprints: string[]
}

export async function listPatterns(db: Db, orgId: string, projectId: string, params: PatternListParams, now = Date.now()): Promise<{ data: PatternView[]; nextCursor: string | null }> {
  const after = params.cursor
  const directory = await templateDirectory(db.metadata, orgId, projectId)
  const { from, to } = directory.mapping()
  const sortColumn = params.sort === PatternSorts.count ? 'total' : 'last_ms'
  const { client, database } = db.eventStore
  const result = await client.query({
    query: `SELECT transform(template_id, {from:Array(String)}, {to:Array(String)}, template_id) AS live,
              sum(events) AS total, toUnixTimestamp64Milli(min(first_seen)) AS first_ms,
              toUnixTimestamp64Milli(max(last_seen)) AS last_ms, groupUniqArrayMerge(100)(fingerprints) AS fingerprints
            FROM ${database}.template_minute FINAL
            WHERE project_id = {project:UInt64}
            GROUP BY live
            ${after ? `HAVING (${sortColumn}, live) < ({afterValue:Int64}, {afterId:String})` : ''}
            ORDER BY ${sortColumn} DESC, live DESC
            LIMIT {limit:UInt32}`,
    query_params: { project: Number(projectId), from, to, limit: params.limit + 1, afterValue: after?.value ?? 0, afterId: after?.id ?? '' },
    format: 'JSONEachRow',
  })
  const rows = await result.json<PatternRow>()
  const page = rows.slice(0, params.limit)
  const [texts, issues, stats] = await Promise.all([
    templateTexts(db, projectId, directory, page.map((r) => r.live)),
    issuesByFingerprint(db, orgId, projectId, page.flatMap((r) => r.fingerprints)),
    patternStats(db, projectId, directory, page.map((r) => r.live), params.stats, now),
  ])
  const data = page.map((row): PatternView => {
    const spanned = new Map<string, PatternIssue>()
    for (const fingerprint of row.fingerprints) {
      const issue = issues.get(fingerprint)
      if (issue) spanned.set(issue.id, issue)
    }
    return {
      id: row.live,
      template: texts.get(row.live) ?? '',
      count: Number(row.total),
      firstSeen: new Date(Number(row.first_ms)).toISOString(),
      lastSeen: new Date(Number(row.last_ms)).toISOString(),
      issues: [...spanned.values()].sort((a, b) => Number(a.id) - Number(b.id)),
      stats: stats.get(row.live)!,
    }
  })
  const last = page.at(-1)
  return { data, nextCursor: rows.length > params.limit && last ? encodeCursor({ value: Number(last[sortColumn]), id: last.live }) : null }
}

/**
 * Live text from the saved miner state; for templates it does not hold (not saved yet, or
 * evicted) the text of the newest event that carried the id.
 */
async function templateTexts(db: Db, projectId: string, directory: TemplateDirectory, live: string[]): Promise<Map<string, string>> {
  const texts = new Map(live.filter((id) => directory.texts.has(id)).map((id) => [id, directory.texts.get(id)!]))
  const missing = live.filter((id) => !texts.has(id))
  if (missing.length === 0) return texts
  const { client, database } = db.eventStore
  const result = await client.query({
    query: `SELECT template_id AS id, argMax(template, timestamp) AS text FROM ${database}.error_events
            WHERE project_id = {project:UInt64} AND template_id IN {ids:Array(String)}
            GROUP BY template_id`,
    query_params: { project: Number(projectId), ids: missing },
    format: 'JSONEachRow',
  })
  for (const row of await result.json<{ id: string; text: string }>()) texts.set(row.id, row.text)
  return texts
}

/** Fingerprint → its issue now (following merges), for the issues a pattern spans. */
async function issuesByFingerprint(db: Db, orgId: string, projectId: string, fingerprints: string[]): Promise<Map<string, PatternIssue>> {
  const unique = [...new Set(fingerprints)]
  const mappings = unique.length > 0 ? await db.issues.fingerprints.getMany(orgId, unique.map((f) => fingerprintKey(projectId, f))) : []
  const docs = new Map<string, IssueDoc>()
  let wanted = [...new Set(mappings.map((m) => m.issueId))]
  // The mapping moves on merge; a merged issue still seen here (a race) resolves to its target.
  for (let hops = 0; hops < 5 && wanted.length > 0; hops++) {
    for (const doc of await db.issues.issues.getMany(orgId, wanted)) if (doc.projectId === projectId) docs.set(doc._id, doc)
    wanted = [...docs.values()].flatMap((d) => (d.status === IssueStatuses.merged && d.mergedInto && !docs.has(d.mergedInto) ? [d.mergedInto] : []))
  }
  const current = (id: string): IssueDoc | undefined => {
    let doc = docs.get(id)
    for (let hops = 0; hops < 5 && doc?.status === IssueStatuses.merged && doc.mergedInto; hops++) doc = docs.get(doc.mergedInto) ?? doc
    return doc
  }
  const out = new Map<string, PatternIssue>()
  for (const mapping of mappings) {
    const doc = current(mapping.issueId)
    if (doc) out.set(mapping.fingerprint, { id: doc._id, title: doc.title, status: doc.status })
  }
  return out
}

/** Event counts per time bucket for each live template, one query for the page. */
async function patternStats(db: Db, projectId: string, directory: TemplateDirectory, live: string[], period: StatsPeriod, now: number): Promise<Map<string, [string, number][]>> {
  const { buckets, minutes } = StatsPeriods[period]
  const bucketMs = minutes * 60_000
  const end = Math.floor(now / bucketMs) * bucketMs + bucketMs
  const start = end - buckets * bucketMs
  const series = new Map(live.map((id) => [id, new Array<number>(buckets).fill(0)]))
  if (live.length > 0) {
    const { from, to } = directory.mapping()
    const { client, database } = db.eventStore
    const result = await client.query({
      query: `SELECT transform(template_id, {from:Array(String)}, {to:Array(String)}, template_id) AS live,
                intDiv(toUnixTimestamp(minute) * 1000 - {start:Int64}, {bucketMs:Int64}) AS bucket, sum(events) AS n
              FROM ${database}.template_minute FINAL
              WHERE project_id = {project:UInt64} AND template_id IN {ids:Array(String)}
                AND minute >= toDateTime({start:Int64} / 1000) AND minute < toDateTime({end:Int64} / 1000)
              GROUP BY live, bucket`,
      query_params: { project: Number(projectId), from, to, ids: directory.storedIds(live), start, end, bucketMs },
      format: 'JSONEachRow',
    })
    for (const row of await result.json<{ live: string; bucket: number; n: string }>()) {
      const values = series.get(row.live)
      if (values && row.bucket >= 0 && row.bucket < buckets) values[row.bucket] = Number(row.n)
    }
  }
  return new Map([...series].map(([id, values]) => [id, values.map((count, b): [string, number] => [new Date(start + b * bucketMs).toISOString(), count])]))
}

export interface PatternEvents {
  /** The live id (a merged id given in the path resolves to its survivor). */
  templateId: string
  template: string
  data: (EventSummary & { templateId: string; template: string })[]
  nextCursor: string | null
}

/** A pattern's events, newest first; 404 for an id neither the miner nor any event knows. */
export async function listPatternEvents(db: Db, orgId: string, projectId: string, templateId: string, params: { cursor?: CursorPosition; limit: number }): Promise<PatternEvents> {
  const after = params.cursor
  const directory = await templateDirectory(db.metadata, orgId, projectId)
  const live = directory.resolve(templateId)
  const ids = directory.storedIds([live])
  const { client, database } = db.eventStore
  if (!directory.knows(templateId)) {
    const known = await client.query({
      query: `SELECT 1 FROM ${database}.template_minute WHERE project_id = {project:UInt64} AND template_id = {id:String} LIMIT 1`,
      query_params: { project: Number(projectId), id: templateId },
      format: 'JSONEachRow',
    })
    if ((await known.json()).length === 0) throw httpError(404, `No pattern ${templateId} in project ${projectId}`)
  }
  const result = await client.query({
    query: `SELECT ${summaryColumns}, fingerprint, template_id, template FROM ${database}.error_events
            WHERE project_id = {project:UInt64} AND template_id IN {ids:Array(String)}
              ${after ? 'AND (timestamp, id) < (fromUnixTimestamp64Milli({afterTime:Int64}), {afterId:String})' : ''}
            ORDER BY timestamp DESC, id DESC
            LIMIT 1 BY event_id
            LIMIT {limit:UInt32}`,
    query_params: { project: Number(projectId), ids, limit: params.limit + 1, afterTime: after?.value ?? 0, afterId: after?.id ?? '' },
    format: 'JSONEachRow',
  })
  const rows = await result.json<SummaryRow & { fingerprint: string; template_id: string; template: string }>()
  const page = rows.slice(0, params.limit)
  const issues = await issuesByFingerprint(db, orgId, projectId, page.map((r) => r.fingerprint))
  const last = page.at(-1)
  return {
    templateId: live,
    template: directory.texts.get(live) ?? page[0]?.template ?? '',
    data: page.map((row) => ({ ...summary(row, issues.get(row.fingerprint)?.id ?? row.issue_id), templateId: live, template: row.template })),
    nextCursor: rows.length > params.limit && last ? encodeCursor({ value: Date.parse(isoTime(last.timestamp)), id: last.id }) : null,
  }
}
