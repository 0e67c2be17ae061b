/** Changes users make to issues: status in bulk, merge, delete. */
import { countIssues, fingerprintKey, issueEvent, IssueStatuses, IssueSubstatuses, publishIssueEvents, type IgnoreConditions, type IssueDoc } from '@faultline/core/issues'
import { describeError } from '@faultline/core/errors'
import type { Platform } from '@faultline/core/platform'
import type { Update } from '@faultline/core/ports'
import { httpError } from '@faultline/core/http'

type Db = Pick<Platform, 'issues' | 'eventStore'>

export type StatusChange =
  | { status: 'resolved' }
  | { status: 'resolved_in_next_release' }
  | { status: 'unresolved' }
  | { status: 'ignored'; ignore?: { forMinutes?: number; untilTime?: number; untilEventCount?: number; untilUserCount?: number } }

/** Loads issues of the project by id; any id that is not there is a 404 naming it. */
export async function loadProjectIssues(db: Db, orgId: string, projectId: string, ids: string[]): Promise<IssueDoc[]> {
  const docs = await db.issues.issues.getMany(orgId, ids)
  const found = new Map(docs.filter((d) => d.projectId === projectId).map((d) => [d._id, d]))
  const missing = ids.filter((id) => !found.has(id))
  if (missing.length > 0) throw httpError(404, `No issue ${missing.join(', ')} in project ${projectId}`)
  return ids.map((id) => found.get(id)!)
}

export async function changeStatus(
  db: Db & Pick<Platform, 'bus' | 'logger'>,
  orgId: string,
  projectId: string,
  ids: string[],
  change: StatusChange,
  now = Date.now(),
): Promise<IssueDoc[]> {
  const issues = await loadProjectIssues(db, orgId, projectId, ids)
  const merged = issues.filter((i) => i.status === IssueStatuses.merged)
  if (merged.length > 0) throw httpError(409, `Issues ${merged.map((i) => i._id).join(', ')} were merged into others; change those instead`)
  const updated: IssueDoc[] = []
  for (const issue of issues) {
    const doc = await db.issues.issues.findOneAndUpdate(orgId, { _id: issue._id }, statusUpdate(issue, change, now))
    if (doc) updated.push(doc)
  }
  await announceStatusChanges(db, issues, updated, now)
  return updated
}

/**
 * Publishes a lifecycle event per issue whose status changed: `resolved` for a resolution, else
 * `status_changed`. The change is already stored, so a bus failure is logged, not answered.
 */
async function announceStatusChanges(db: Pick<Platform, 'bus' | 'logger'>, before: IssueDoc[], after: IssueDoc[], now: number): Promise<void> {
  const previous = new Map(before.map((doc) => [doc._id, doc.status]))
  const events = after
    .filter((doc) => previous.get(doc._id) !== doc.status)
    .map((doc) => {
      const resolved = doc.status === IssueStatuses.resolved || doc.status === IssueStatuses.resolvedInNextRelease
      return issueEvent(doc, resolved ? 'resolved' : 'status_changed', now, 'api', { previousStatus: previous.get(doc._id) })
    })
  try {
    await publishIssueEvents(db.bus, events)
  } catch (error) {
    db.logger.error('publishing issue status changes failed; alerting will not see them', { issues: events.map((e) => e.issueId), error: describeError(error) })
  }
}

function statusUpdate(issue: IssueDoc, change: StatusChange, now: number): Update {
  const clear = ['resolvedAt', 'resolvedInRelease', 'ignore']
  switch (change.status) {
    case 'resolved':
      return { $set: { status: IssueStatuses.resolved, resolvedAt: now }, $unset: ['resolvedInRelease', 'ignore'] }
    case 'resolved_in_next_release':
      // Without a release there is no "next" one to wait for: resolve now, as Sentry does.
      if (!issue.lastRelease) return { $set: { status: IssueStatuses.resolved, resolvedAt: now }, $unset: ['resolvedInRelease', 'ignore'] }
      return { $set: { status: IssueStatuses.resolvedInNextRelease, resolvedAt: now, resolvedInRelease: issue.lastRelease }, $unset: ['ignore'] }
    case 'unresolved':
      return { $set: { status: IssueStatuses.unresolved, substatus: IssueSubstatuses.ongoing }, $unset: clear }
    case 'ignored': {
      const conditions = change.ignore ?? {}
      const ignore: IgnoreConditions = {}
      if (conditions.forMinutes !== undefined) ignore.untilTime = now + conditions.forMinutes * 60_000
      if (conditions.untilTime !== undefined) ignore.untilTime = conditions.untilTime
      if (conditions.untilEventCount !== undefined) {
        ignore.untilEventCount = conditions.untilEventCount
        ignore.eventCountAtIgnore = issue.eventCount
      }
      if (conditions.untilUserCount !== undefined) {
        ignore.untilUserCount = conditions.untilUserCount
        ignore.userCountAtIgnore = issue.userCount
      }
      const update: Update = { $set: { status: IssueStatuses.ignored }, $unset: ['resolvedAt', 'resolvedInRelease'] }
      if (Object.keys(ignore).length > 0) update.$set!.ignore = ignore
      else update.$unset!.push('ignore')
      return update
    }
  }
}

/**
 * Merges issues into one: their fingerprints are mapped to the primary, so past and future events
 * belong to it, and no stored event is rewritten. The primary is `into` when given, else the
 * oldest issue.
 */
export async function mergeIssues(db: Db, orgId: string, projectId: string, ids: string[], into?: string): Promise<IssueDoc> {
  const unique = [...new Set(ids)]
  if (unique.length < 2) throw httpError(400, 'Merging needs at least two different issue ids')
  const issues = await loadProjectIssues(db, orgId, projectId, unique)
  const merged = issues.filter((i) => i.status === IssueStatuses.merged)
  if (merged.length > 0) throw httpError(409, `Issues ${merged.map((i) => i._id).join(', ')} were already merged`)
  const primary = into ? issues.find((i) => i._id === into) : [...issues].sort((a, b) => a.firstSeen - b.firstSeen)[0]
  if (!primary) throw httpError(400, `The target issue ${into} is not among the issues to merge`)
  const others = issues.filter((i) => i._id !== primary._id)
  const fingerprints = [...new Set([...primary.fingerprints, ...others.flatMap((i) => i.fingerprints)])]

  // Mapping first: from here on new events of the others land on the primary.
  for (const other of others) {
    for (const fingerprint of other.fingerprints) {
      await db.issues.fingerprints.put(orgId, { _id: fingerprintKey(projectId, fingerprint), projectId, fingerprint, issueId: primary._id })
    }
  }
  const counts = await countIssues(db.eventStore, [{ ...primary, fingerprints }])
  const count = counts.get(primary._id) ?? { events: 0, users: 0 }
  let result = await db.issues.issues.findOneAndUpdate(
    orgId,
    { _id: primary._id },
    {
      $set: { fingerprints, eventCount: count.events, userCount: count.users },
      $min: { firstSeen: Math.min(...issues.map((i) => i.firstSeen)) },
      $max: { lastSeen: Math.max(...issues.map((i) => i.lastSeen)) },
    },
  )
  for (const other of others) {
    for (const environment of other.environments ?? []) {
      result = await db.issues.issues.findOneAndUpdate(orgId, { _id: primary._id }, { $addToSet: { environments: { value: environment, limit: 50 } } })
    }
    for (const release of other.releases ?? []) {
      result = await db.issues.issues.findOneAndUpdate(orgId, { _id: primary._id }, { $addToSet: { releases: { value: release, limit: 100 } } })
    }
    await db.issues.issues.findOneAndUpdate(orgId, { _id: other._id }, { $set: { status: IssueStatuses.merged, mergedInto: primary._id, fingerprints: [] } })
  }
  if (!result) throw httpError(409, `Issue ${primary._id} disappeared during the merge`)
  return result
}

/** Deletes an issue with its events; a later event with the same fingerprint opens a new issue. */
export async function deleteIssue(db: Db, orgId: string, projectId: string, id: string): Promise<void> {
  const [issue] = await loadProjectIssues(db, orgId, projectId, [id])
  const { client, database } = db.eventStore
  if (issue!.fingerprints.length > 0) {
    const params = { project: Number(projectId), fingerprints: issue!.fingerprints }
    const where = `project_id = {project:UInt64} AND fingerprint IN {fingerprints:Array(String)}`
    // Synchronous, so the issue's events are gone when the request returns.
    const settings = { mutations_sync: '2', lightweight_deletes_sync: '2' } as const
    await client.command({ query: `DELETE FROM ${database}.error_events WHERE ${where}`, query_params: params, clickhouse_settings: settings })
    await client.command({ query: `ALTER TABLE ${database}.fingerprint_minute DELETE WHERE ${where}`, query_params: params, clickhouse_settings: settings })
  }
  await db.issues.fingerprints.deleteMany(orgId, { issueId: id })
  await db.issues.issues.deleteMany(orgId, { $or: [{ _id: id }, { mergedInto: id }] })
}
