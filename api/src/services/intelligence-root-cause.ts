/**
 * First root-cause hints for an issue, each with the numbers behind it: the suspect release, tag
 * values over-represented in its events against the project's other events, and issues whose
 * spikes began at the same time.
 */
import type { IssueDoc } from '@faultline/core/issues'
import type { Platform } from '@faultline/core/platform'
import { denseSeries, floorMinute, issueMinuteCounts, minuteMs } from '@faultline/core/rollups'
import { coSpikingIssues, overRepresentedTags, spikeStart, suspectRelease, type ReleaseCounts, type TagCounts } from '@faultline/intelligence'

type Db = Pick<Platform, 'issues' | 'eventStore'>

export const rootCauseWindows = {
  /** Releases and tags are compared over this long. */
  eventsMs: 30 * 86_400_000,
  /** Spikes are looked for in this many minutes. */
  spikeMinutes: 6 * 60,
  /** Other issues checked for a co-spike, the most recently seen first. */
  maxOtherIssues: 500,
} as const

export async function rootCauseHints(db: Db, issue: IssueDoc, now = Date.now()) {
  const since = now - rootCauseWindows.eventsMs
  const [releases, tags, spikes] = await Promise.all([releaseCounts(db, issue, since), tagHints(db, issue, since), spikeHints(db, issue, now)])
  const suspect = suspectRelease(releases)
  return {
    issueId: issue._id,
    window: { since: new Date(since).toISOString(), until: new Date(now).toISOString() },
    suspectRelease: suspect ? { ...suspect, firstSeen: new Date(releases.find((r) => r.release === suspect.release)!.firstSeen).toISOString() } : null,
    releases: releases.sort((a, b) => a.firstSeen - b.firstSeen).map((r) => ({ ...r, firstSeen: new Date(r.firstSeen).toISOString() })),
    tags,
    ...spikes,
  }
}

/** Per release: when it was first seen, the issue's events and all the project's events in it. */
async function releaseCounts(db: Db, issue: IssueDoc, since: number): Promise<ReleaseCounts[]> {
  const { client, database } = db.eventStore
  const result = await client.query({
    query: `SELECT release, toUnixTimestamp64Milli(min(timestamp)) AS first_seen,
              countIf(fingerprint IN {fingerprints:Array(String)}) AS issue_events, count() AS project_events
            FROM ${database}.error_events
            WHERE project_id = {project:UInt64} AND release != '' AND timestamp >= fromUnixTimestamp64Milli({since:Int64})
            GROUP BY release`,
    query_params: { project: Number(issue.projectId), fingerprints: issue.fingerprints, since },
    format: 'JSONEachRow',
  })
  return (await result.json<{ release: string; first_seen: number; issue_events: number; project_events: number }>()).map((row) => ({
    release: row.release,
    firstSeen: Number(row.first_seen),
    issueEvents: Number(row.issue_events),
    projectEvents: Number(row.project_events),
  }))
}

/** Tag (and environment) values of the issue's events tested against the project's other events. */
async function tagHints(db: Db, issue: IssueDoc, since: number) {
  const { client, database } = db.eventStore
  const params = { project: Number(issue.projectId), fingerprints: issue.fingerprints, since }
  const where = `project_id = {project:UInt64} AND timestamp >= fromUnixTimestamp64Milli({since:Int64})`
  const [countsResult, totalsResult] = await Promise.all([
    client.query({
      query: `SELECT key, value, countIf(in_issue) AS issue_n, countIf(NOT in_issue) AS base_n
              FROM (SELECT fingerprint IN {fingerprints:Array(String)} AS in_issue, tags, environment FROM ${database}.error_events WHERE ${where})
              ARRAY JOIN arrayConcat(mapKeys(tags), ['environment']) AS key, arrayConcat(mapValues(tags), [environment]) AS value
              WHERE value != ''
              GROUP BY key, value
              HAVING issue_n > 0`,
      query_params: params,
      format: 'JSONEachRow',
    }),
    client.query({
      query: `SELECT countIf(fingerprint IN {fingerprints:Array(String)}) AS issue_total, countIf(fingerprint NOT IN {fingerprints:Array(String)}) AS base_total
              FROM ${database}.error_events WHERE ${where}`,
      query_params: params,
      format: 'JSONEachRow',
    }),
  ])
  const issueCounts: TagCounts = {}
  const baseCounts: TagCounts = {}
  for (const row of await countsResult.json<{ key: string; value: string; issue_n: number; base_n: number }>()) {
    ;(issueCounts[row.key] ??= {})[row.value] = Number(row.issue_n)
    ;(baseCounts[row.key] ??= {})[row.value] = Number(row.base_n)
  }
  const [totals] = await totalsResult.json<{ issue_total: number; base_total: number }>()
  const issueTotal = Number(totals?.issue_total ?? 0)
  const baselineTotal = Number(totals?.base_total ?? 0)
  const hints = issueTotal > 0 && baselineTotal > 0 ? overRepresentedTags(issueCounts, issueTotal, baseCounts, baselineTotal) : []
  return { issueEvents: issueTotal, baselineEvents: baselineTotal, test: 'one-sided two-proportion z, Bonferroni-corrected', hints: hints.map((h) => ({ ...h, lift: Number.isFinite(h.lift) ? h.lift : null })) }
}

/** Other active issues whose latest spike began within a few minutes of this issue's. */
async function spikeHints(db: Db, issue: IssueDoc, now: number) {
  const to = floorMinute(now) + minuteMs
  const from = to - rootCauseWindows.spikeMinutes * minuteMs
  const others = (
    await db.issues.issues.find(
      issue.orgId,
      { projectId: issue.projectId, status: { $ne: 'merged' }, lastSeen: { $gte: from } },
      { sort: { field: 'lastSeen', direction: 'desc' }, limit: rootCauseWindows.maxOtherIssues + 1 },
    )
  ).filter((other) => other._id !== issue._id).slice(0, rootCauseWindows.maxOtherIssues)
  const counts = await issueMinuteCounts(db.eventStore, issue.projectId, [issue, ...others], [{ from, to }])
  const length = rootCauseWindows.spikeMinutes
  const target = denseSeries(counts.get(issue._id) ?? [], from, length)
  const start = spikeStart(target)
  const titles = new Map(others.map((o) => [o._id, o.title]))
  const found = coSpikingIssues(
    target,
    others.filter((o) => counts.has(o._id)).map((o) => ({ id: o._id, values: denseSeries(counts.get(o._id)!, from, length) })),
  )
  return {
    spike: start === undefined ? null : { startedAt: new Date(from + start * minuteMs).toISOString(), events: target[start] },
    coSpikes: found.map((c) => ({ issueId: c.id, title: titles.get(c.id), lagMinutes: c.lag, correlation: c.correlation })),
  }
}
