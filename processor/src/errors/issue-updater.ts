/**
 * Keeps issue documents in step with the events of a batch: creates issues on first sight,
 * widens first/last seen, environments and releases, refreshes counts from the ClickHouse
 * rollups (exact, and unchanged when a batch is processed twice), and applies regressions (each
 * recorded in the issue's activity).
 */
import { ActivityKinds, countIssues, IssueStatuses, IssueSubstatuses, maxIssueEnvironments, maxIssueReleases, recordActivity, systemActor, type IssueDoc, type IssueStores } from '@faultline/core/issues'
import type { EventStore } from '@faultline/core/event-store'
import type { Update } from '@faultline/core/ports'
import { MetadataError } from '@faultline/core/errors'
import type { GroupedEvent } from '../store/error-rows'
import { transitionFor } from './issue-transitions'

interface IssueActivity {
  issueId: string
  orgId: string
  projectId: string
  latest: GroupedEvent
  firstSeen: number
  lastSeen: number
  lastReceivedAt: number
  environments: Set<string>
  releases: Set<string>
  fingerprints: Set<string>
}

export class IssueUpdater {
  readonly #stores: IssueStores
  readonly #eventStore: EventStore

  constructor(stores: IssueStores, eventStore: EventStore) {
    this.#stores = stores
    this.#eventStore = eventStore
  }

  /**
   * Upserts the issues of `events` (before their insert), following a merge that raced the batch.
   * The issues are written concurrently so a store that groups writes commits them together.
   * `orgs` gives each event's project its organization.
   */
  async upsert(events: GroupedEvent[], orgs: Map<string, string>): Promise<Map<string, IssueDoc>> {
    const docs = await Promise.all(
      [...summarize(events, orgs).values()].map(async (activity) => {
        let doc = await this.#upsertOne(activity.issueId, activity)
        for (let hops = 0; doc.status === IssueStatuses.merged && doc.mergedInto && hops < 5; hops++) {
          doc = await this.#upsertOne(doc.mergedInto, activity)
        }
        return { from: activity.issueId, doc }
      }),
    )
    const issues = new Map<string, IssueDoc>()
    const finalIds = new Map(docs.map(({ from, doc }) => [from, doc._id]))
    for (const event of events) event.issueId = finalIds.get(event.issueId) ?? event.issueId
    for (const { doc } of docs) issues.set(doc._id, doc)
    return issues
  }

  /** After the insert: exact counts from the rollups, then status transitions. Returns the issues as they now are. */
  async refresh(issues: Map<string, IssueDoc>, events: GroupedEvent[], now = Date.now()): Promise<IssueDoc[]> {
    const counts = await countIssues(this.#eventStore, [...issues.values()])
    const activity = summarize(events, new Map([...issues.values()].map((doc) => [doc.projectId, doc.orgId])))
    const refreshed: IssueDoc[] = []
    await Promise.all(
      [...issues.values()].map(async (issue) => {
        const count = counts.get(issue._id)
        if (!count) return
        const updated = await this.#stores.issues.findOneAndUpdate(
          issue.orgId,
          { _id: issue._id },
          { $max: { eventCount: count.events, userCount: count.users } },
        )
        const seen = activity.get(issue._id)
        if (!updated || !seen) return
        const transition = transitionFor(updated, { lastReceivedAt: seen.lastReceivedAt, releases: seen.releases }, now)
        // Guarded by the status read, so a change made meanwhile by a user is not overwritten.
        const changed = transition ? await this.#stores.issues.findOneAndUpdate(issue.orgId, { _id: issue._id, status: updated.status }, transition) : null
        if (changed) {
          const data = { status: changed.status, substatus: changed.substatus, previous: updated.status }
          await recordActivity(this.#stores.activity, changed.orgId, [{ projectId: changed.projectId, issueId: changed._id, kind: ActivityKinds.status, actor: systemActor, data, at: now }])
        }
        refreshed.push(changed ?? updated)
      }),
    )
    return refreshed
  }

  async #upsertOne(issueId: string, a: IssueActivity): Promise<IssueDoc> {
    const { event, groupingStrategy } = a.latest
    const outermost = event.exceptions.at(-1)
    const update: Update = {
      $setOnInsert: {
        projectId: a.projectId,
        fingerprints: [...a.fingerprints],
        title: event.title,
        culprit: event.culprit ?? '',
        type: outermost?.type ?? '',
        value: outermost?.value ?? event.message ?? '',
        platform: event.platform ?? '',
        searchText: [event.title, outermost?.type, outermost?.value, event.culprit].filter(Boolean).join(' ').toLowerCase(),
        groupingStrategy,
        status: IssueStatuses.unresolved,
        substatus: IssueSubstatuses.new,
        eventCount: 0,
        userCount: 0,
        firstRelease: event.release ?? '',
        lifecycleOwed: { type: 'created', at: a.lastReceivedAt },
      },
      $set: { level: event.level, lastRelease: event.release ?? '' },
      $min: { firstSeen: a.firstSeen },
      $max: { lastSeen: a.lastSeen },
    }
    const [environment, ...moreEnvironments] = a.environments
    const [release, ...moreReleases] = [...a.releases].filter(Boolean)
    update.$addToSet = {}
    if (environment !== undefined) update.$addToSet.environments = { value: environment, limit: maxIssueEnvironments }
    if (release !== undefined) update.$addToSet.releases = { value: release, limit: maxIssueReleases }
    const issues = this.#stores.issues
    let doc = await issues.findOneAndUpdate(a.orgId, { _id: issueId }, update, { upsert: true, insertId: issueId })
    // Rare: one issue saw several environments or releases in one batch.
    for (const value of moreEnvironments) doc = await issues.findOneAndUpdate(a.orgId, { _id: issueId }, { $addToSet: { environments: { value, limit: maxIssueEnvironments } } })
    for (const value of moreReleases) doc = await issues.findOneAndUpdate(a.orgId, { _id: issueId }, { $addToSet: { releases: { value, limit: maxIssueReleases } } })
    if (!doc) throw new MetadataError('unavailable', `issue ${issueId} could not be upserted`)
    return doc
  }
}

function summarize(events: GroupedEvent[], orgs: Map<string, string>): Map<string, IssueActivity> {
  const activities = new Map<string, IssueActivity>()
  for (const grouped of events) {
    const { event } = grouped
    let a = activities.get(grouped.issueId)
    if (!a) {
      a = {
        issueId: grouped.issueId,
        orgId: orgs.get(event.projectId)!,
        projectId: event.projectId,
        latest: grouped,
        firstSeen: event.timestamp,
        lastSeen: event.timestamp,
        lastReceivedAt: event.receivedAt,
        environments: new Set(),
        releases: new Set(),
        fingerprints: new Set(),
      }
      activities.set(grouped.issueId, a)
    }
    if (event.timestamp >= a.lastSeen) a.latest = grouped
    a.firstSeen = Math.min(a.firstSeen, event.timestamp)
    a.lastSeen = Math.max(a.lastSeen, event.timestamp)
    a.lastReceivedAt = Math.max(a.lastReceivedAt, event.receivedAt)
    a.environments.add(event.environment)
    a.releases.add(event.release ?? '')
    a.fingerprints.add(grouped.fingerprint)
  }
  return activities
}
