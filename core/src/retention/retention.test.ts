/** Retention against chDB and SQLite: rows and metadata past a project's retention go, others stay. */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqliteMetadataStore } from '../adapters/metadata'
import { applyEventStoreMigrations, createEventStore, refreshProjectRollups, type EventStore } from '../event-store'
import { openIssueStores, type IssueDoc } from '../issues'
import { openOutcomes } from '../outcomes'
import { applyProjectRetention, cleanExpiredMetadata, materializeRetention, storedRetention } from './retention'

const DAY = 86_400_000
const dir = mkdtempSync(join(tmpdir(), 'faultline-retention-'))
let store: EventStore

beforeAll(async () => {
  store = await createEventStore({ user: 'default', password: '', database: 'faultline_retention', chdbPath: join(dir, 'chdb') })
  await applyEventStoreMigrations(store)
})

afterAll(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Inserts events and their rollups (as the processor's writer does), then applies the TTLs as the retention job does. */
async function insertEvents(project: number, daysAgo: number[], now: number): Promise<void> {
  const values = daysAgo.map((days) => ({ project_id: project, fingerprint: `f${days}`, issue_id: '1', timestamp: now - days * DAY, received_at: now, event_id: randomUUID(), level: 'error' }))
  await store.client.insert({ table: `${store.database}.error_events`, values, format: 'JSONEachRow' })
  await refreshProjectRollups(store, String(project))
  await materializeRetention(store)
}

async function countsByProject(table: string): Promise<Record<string, number>> {
  const rows = await (await store.client.query({ query: `SELECT toString(project_id) AS p, count() AS n FROM ${store.database}.${table} GROUP BY p ORDER BY p`, format: 'JSONEachRow' })).json<{ p: string; n: number }>()
  return Object.fromEntries(rows.map((r) => [r.p, Number(r.n)]))
}

describe('event store retention', () => {
  it('drops rows past the default retention at insert, and past a project retention once set', async () => {
    const now = Date.now()
    await insertEvents(1, [1, 10, 30, 100], now)
    await insertEvents(2, [1, 10, 30, 100], now)
    // The default is 90 days: the 100-day-old events go.
    expect(await countsByProject('error_events')).toEqual({ 1: 3, 2: 3 })
    expect(await countsByProject('fingerprint_minute')).toMatchObject({ 1: 3, 2: 3 })

    await applyProjectRetention(store, '1', 7, now)
    expect(await storedRetention(store)).toEqual(new Map([['1', 7]]))
    await materializeRetention(store)
    expect(await countsByProject('error_events')).toEqual({ 1: 1, 2: 3 })
    expect(await countsByProject('fingerprint_minute')).toEqual({ 1: 1, 2: 3 })
    expect(await countsByProject('project_minute')).toEqual({ 1: 1, 2: 3 })

    // New rows of the project follow its retention from now on.
    await insertEvents(1, [2, 8], now)
    expect(await countsByProject('error_events')).toEqual({ 1: 2, 2: 3 })
  })

  it('lets a project keep events longer than the default', async () => {
    const now = Date.now()
    await applyProjectRetention(store, '3', 365, now)
    await insertEvents(3, [100, 400], now)
    await materializeRetention(store)
    expect((await countsByProject('error_events'))['3']).toBe(1)
  })
})

describe('expired metadata', () => {
  it('removes issues last seen before the retention, their fingerprints and old outcome counts', async () => {
    const metadata = createSqliteMetadataStore({ path: join(dir, 'metadata.sqlite') })
    const issues = await openIssueStores(metadata)
    const outcomes = await openOutcomes(metadata)
    const now = Date.now()
    const issue = (id: string, projectId: string, lastSeen: number) => ({ _id: id, projectId, lastSeen, fingerprints: [`fp${id}`] }) as unknown as IssueDoc
    for (const doc of [issue('1', '1', now - 10 * DAY), issue('2', '1', now - DAY), issue('3', '2', now - 10 * DAY)]) {
      await issues.issues.insert('o1', doc)
      await issues.fingerprints.insert('o1', { _id: `${doc.projectId}:fp${doc._id}`, projectId: doc.projectId, fingerprint: `fp${doc._id}`, issueId: doc._id })
    }
    for (const [projectId, hour] of [['1', now - 10 * DAY], ['1', now - DAY], ['2', now - 10 * DAY]] as const) {
      await outcomes.insert('o1', { _id: `${projectId}:${hour}`, projectId, hour, category: 'error', outcome: 'accepted', reason: '', quantity: 1 })
    }

    expect(await cleanExpiredMetadata({ issues, outcomes }, 'o1', '1', 7, now)).toEqual({ issues: 1, outcomes: 1 })
    expect((await issues.issues.find('o1', {})).map((i) => i._id).sort()).toEqual(['2', '3'])
    expect((await issues.fingerprints.find('o1', {})).map((f) => f.issueId).sort()).toEqual(['2', '3'])
    expect(await outcomes.count('o1', {})).toBe(2)
    await metadata.close()
  })
})
