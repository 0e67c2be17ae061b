/**
 * One contract for both event-store adapters: the statements Faultline runs must behave the same
 * on chDB and on a ClickHouse server.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventStore } from './event-store'
import { applyEventStoreMigrations, eventStoreMigrations } from './migrations'

export function describeEventStoreContract(name: string, makeStore: () => Promise<EventStore>): void {
  describe(`event store contract: ${name}`, () => {
    let store: EventStore
    beforeAll(async () => {
      store = await makeStore()
    })
    afterAll(async () => {
      await store.client.command({ query: `DROP DATABASE IF EXISTS ${store.database}` })
      await store.close()
    })

    it('applies each migration once; a second run is a no-op', async () => {
      expect(await applyEventStoreMigrations(store)).toEqual(eventStoreMigrations.map((m) => m.version))
      expect(await applyEventStoreMigrations(store)).toEqual([])
    })

    it('names the migration that fails', async () => {
      const broken = [{ version: 999, name: 'broken', statements: () => ['CREATE TABLE nope ('] }]
      await expect(applyEventStoreMigrations(store, broken)).rejects.toThrow(/migration 999 \(broken\)/)
    })

    it('inserts events, binds parameters and rolls up per fingerprint and minute', async () => {
      const db = store.database
      // Recent, as rows older than the retention (90 days by default) are dropped on insert.
      const minute = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 86_400_000
      const rows = [
        { fp: 'a', user: 'u1', at: minute + 1_000 },
        { fp: 'a', user: 'u2', at: minute + 2_000 },
        { fp: 'a', user: 'u1', at: minute + 61_000 },
        { fp: 'b', user: 'u3', at: minute + 3_000 },
      ].map((r) => ({
        project_id: 7,
        fingerprint: r.fp,
        issue_id: r.fp === 'a' ? '1' : '2',
        timestamp: r.at,
        received_at: r.at,
        event_id: randomUUID(),
        level: 'error',
        user_key: r.user,
        tags: { browser: 'Firefox', "it's": 'quoted' },
        message: "it's {not} a placeholder",
      }))
      await store.client.insert({ table: `${db}.error_events`, values: rows, format: 'JSONEachRow' })

      const perFingerprint = await (
        await store.client.query({
          query: `SELECT fingerprint, sum(events) AS events, uniqMerge(users) AS users, count() AS minutes
                  FROM ${db}.fingerprint_minute WHERE project_id = {project:UInt64}
                  GROUP BY fingerprint ORDER BY fingerprint`,
          query_params: { project: 7 },
          format: 'JSONEachRow',
        })
      ).json()
      expect(perFingerprint).toEqual([
        { fingerprint: 'a', events: 3, users: 2, minutes: 2 },
        { fingerprint: 'b', events: 1, users: 1, minutes: 1 },
      ])

      const withQuote = await (
        await store.client.query({
          query: `SELECT count() AS n FROM ${db}.error_events
                  WHERE project_id = {project:UInt64} AND message = {message:String} AND tags[{key:String}] = 'quoted'`,
          query_params: { project: 7, message: "it's {not} a placeholder", key: "it's" },
          format: 'JSONEachRow',
        })
      ).json()
      expect(withQuote).toEqual([{ n: 4 }])
    })

    it('keeps one row per event id after deduplication', async () => {
      const db = store.database
      const row = { project_id: 8, fingerprint: 'c', issue_id: '3', timestamp: Date.now() - 86_400_000, event_id: randomUUID() }
      await store.client.insert({ table: `${db}.error_events`, values: [row], format: 'JSONEachRow' })
      await store.client.insert({ table: `${db}.error_events`, values: [row], format: 'JSONEachRow' })
      const rows = await (
        await store.client.query({
          query: `SELECT count() AS n FROM ${db}.error_events FINAL WHERE project_id = 8`,
          format: 'JSONEachRow',
        })
      ).json()
      expect(rows).toEqual([{ n: 1 }])
    })

    it('reports server errors with their ClickHouse code', async () => {
      await expect(store.client.query({ query: `SELECT nope FROM ${store.database}.error_events` })).rejects.toMatchObject({
        code: '47',
        type: 'UNKNOWN_IDENTIFIER',
      })
    })
  })
}
