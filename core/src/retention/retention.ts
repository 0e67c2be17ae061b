/**
 * Per-project retention in the event store and the metadata that points at event data.
 *
 * ClickHouse does the expiry: every event table has a `retention_days` column, filled at insert
 * from the `project_retention_dict` dictionary, and a TTL on it (event-store migration 5). Rows past
 * their TTL are dropped on insert and by merges; `materializeRetention` forces that now (tests,
 * `faultline retention apply`). A retention change is written to the dictionary's table, so new
 * rows follow it at once, and applied to stored rows by a mutation per table.
 */
import type { EventStore } from '../event-store'
import { retentionTables } from '../event-store'
import type { IssueStores } from '../issues'
import type { OutcomeDoc } from '../outcomes'
import type { TenantCollection } from '../tenancy'

const DAY_MS = 86_400_000

/** The retention each project has in the event store (projects never set have the default). */
export async function storedRetention(store: EventStore): Promise<Map<string, number>> {
  const rows = await (
    await store.client.query({
      query: `SELECT toString(project_id) AS project, argMax(days, updated_at) AS days FROM ${store.database}.project_retention GROUP BY project_id`,
      format: 'JSONEachRow',
    })
  ).json<{ project: string; days: number }>()
  return new Map(rows.map((row) => [row.project, Number(row.days)]))
}

/**
 * Sets a project's retention: new rows get it once the dictionary is reloaded (here, and by its
 * lifetime on other servers within a minute), stored rows by one asynchronous mutation per table.
 */
export async function applyProjectRetention(store: EventStore, projectId: string, days: number, now = Date.now()): Promise<void> {
  const db = store.database
  await store.client.insert({ table: `${db}.project_retention`, values: [{ project_id: Number(projectId), days, updated_at: now }], format: 'JSONEachRow' })
  await store.client.command({ query: `SYSTEM RELOAD DICTIONARY ${db}.project_retention_dict` })
  for (const { table } of retentionTables) {
    await store.client.command({
      query: `ALTER TABLE ${db}.${table} ${store.onCluster} UPDATE retention_days = {days:UInt16} WHERE project_id = {project:UInt64} AND retention_days != {days:UInt16}`,
      query_params: { days, project: Number(projectId) },
    })
  }
}

/** Drops every row past its retention now, waiting until done, instead of at the next merges. */
export async function materializeRetention(store: EventStore): Promise<void> {
  for (const { table } of retentionTables) {
    await store.client.command({ query: `ALTER TABLE ${store.database}.${table} ${store.onCluster} MATERIALIZE TTL`, clickhouse_settings: { mutations_sync: '2' } })
  }
}

export interface ExpiredMetadata {
  issues: number
  outcomes: number
}

/**
 * Removes the metadata that only points at expired events: issues last seen before the project's
 * retention (with their fingerprint mappings) and hourly outcome counts older than it.
 */
export async function cleanExpiredMetadata(
  stores: { issues: IssueStores; outcomes: TenantCollection<OutcomeDoc> },
  orgId: string,
  projectId: string,
  days: number,
  now = Date.now(),
): Promise<ExpiredMetadata> {
  const cutoff = now - days * DAY_MS
  let issues = 0
  for (;;) {
    const expired = await stores.issues.issues.find(orgId, { projectId, lastSeen: { $lt: cutoff } }, { limit: 500 })
    if (expired.length === 0) break
    const ids = expired.map((issue) => issue._id)
    await stores.issues.fingerprints.deleteMany(orgId, { issueId: { $in: ids } })
    issues += await stores.issues.issues.deleteMany(orgId, { _id: { $in: ids } })
  }
  const outcomes = await stores.outcomes.deleteMany(orgId, { projectId, hour: { $lt: cutoff } })
  return { issues, outcomes }
}
