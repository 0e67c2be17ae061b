/**
 * One contract for both event-store adapters: the statements Faultline runs must behave the same
 * on chDB and on a ClickHouse server.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { securityEntitiesContract } from './security-entities.contract'
import type { EventStore } from './event-store'
import { applyEventStoreMigrations, eventStoreMigrations } from './migrations'
import { refreshProjectRollups, refreshRollups, rollupTotals } from './rollup-refresh'

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
      await refreshProjectRollups(store, '7')

      const perFingerprint = await (
        await store.client.query({
          query: `SELECT fingerprint, sum(events) AS events, uniqMerge(users) AS users, count() AS minutes
                  FROM ${db}.fingerprint_minute FINAL WHERE project_id = {project:UInt64}
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

    it('recomputes rollup minutes idempotently: refreshed twice, after duplicates, or only later, they equal the events', async () => {
      const db = store.database
      // Recent, so that no retention policy takes the rows away.
      const minute = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000
      const row = (fp: string, level: string, template: string, at: number, user: string) => ({
        project_id: 9,
        fingerprint: fp,
        issue_id: fp,
        timestamp: at,
        received_at: at,
        event_id: randomUUID(),
        level,
        user_key: user,
        template_id: template,
      })
      const first = [row('a', 'error', 't1', minute + 1_000, 'u1'), row('a', 'warning', 't1', minute + 2_000, 'u2'), row('b', 'error', 't2', minute + 61_000, 'u1')]
      const keys = (rows: typeof first) => rows.map((r) => ({ fingerprint: r.fingerprint, timestamp: r.timestamp }))
      await store.client.insert({ table: `${db}.error_events`, values: first, format: 'JSONEachRow' })
      await refreshRollups(store, '9', keys(first))
      await refreshRollups(store, '9', keys(first))
      // Stored again (a redelivery that missed the lookup) and a minute written but not yet refreshed.
      const late = [row('a', 'error', 't1', minute + 3_000, 'u3')]
      await store.client.insert({ table: `${db}.error_events`, values: [first[0], ...late], format: 'JSONEachRow' })
      const sums = async () => {
        const read = async (table: string, extra = '') =>
          (
            await (
              await store.client.query({
                query: `SELECT sum(events) AS events${extra} FROM ${db}.${table} FINAL WHERE project_id = 9`,
                format: 'JSONEachRow',
              })
            ).json<Record<string, number>>()
          )[0]
        return {
          fingerprint: await read('fingerprint_minute', ', uniqMerge(users) AS users'),
          project: await read('project_minute'),
          template: await read('template_minute', ', length(groupUniqArrayMerge(100)(fingerprints)) AS fingerprints'),
        }
      }
      expect(await sums()).toEqual({ fingerprint: { events: 3, users: 2 }, project: { events: 3 }, template: { events: 3, fingerprints: 2 } })
      await refreshRollups(store, '9', keys([first[0]!, ...late]))
      expect(await sums()).toEqual({ fingerprint: { events: 4, users: 3 }, project: { events: 4 }, template: { events: 4, fingerprints: 2 } })
      await store.client.command({ query: `OPTIMIZE TABLE ${db}.fingerprint_minute FINAL` })
      await refreshProjectRollups(store, '9')
      expect(await sums()).toEqual({ fingerprint: { events: 4, users: 3 }, project: { events: 4 }, template: { events: 4, fingerprints: 2 } })
    })

    it('migration 4 rebuilds the rollups that the materialized views left short from the stored events', async () => {
      const upgrade: EventStore = { ...store, database: `${store.database}_upgrade` }
      try {
        await applyEventStoreMigrations(upgrade, eventStoreMigrations.filter((m) => m.version < 4))
        const at = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 7_200_000
        const rows = [1, 2, 3].map((n) => ({ project_id: 5, fingerprint: `f${n % 2}`, timestamp: at + n, event_id: randomUUID(), template_id: 't', user_key: `u${n}` }))
        await store.client.insert({ table: `${upgrade.database}.error_events`, values: rows.slice(0, 1), format: 'JSONEachRow' })
        // The views' separate write fails after the events are stored: the crash the views could not survive.
        await store.client.command({ query: `ALTER TABLE ${upgrade.database}.project_minute ADD CONSTRAINT crash_point CHECK 0` })
        await expect(store.client.insert({ table: `${upgrade.database}.error_events`, values: rows.slice(1), format: 'JSONEachRow' })).rejects.toThrow(/crash_point/)
        await store.client.command({ query: `ALTER TABLE ${upgrade.database}.project_minute DROP CONSTRAINT crash_point` })
        expect((await rollupTotals(upgrade, '5')).projectMinute).toBe(1)

        expect(await applyEventStoreMigrations(upgrade)).toEqual(eventStoreMigrations.filter((m) => m.version >= 4).map((m) => m.version))
        expect(await rollupTotals(upgrade, '5')).toEqual({ events: 3, templatedEvents: 3, fingerprintMinute: 3, projectMinute: 3, templateMinute: 3 })
        // A crash before the migration was recorded runs its statements again: same result.
        for (const query of eventStoreMigrations.find((m) => m.version === 4)!.statements(upgrade)) await store.client.command({ query })
        expect(await rollupTotals(upgrade, '5')).toEqual({ events: 3, templatedEvents: 3, fingerprintMinute: 3, projectMinute: 3, templateMinute: 3 })
      } finally {
        await store.client.command({ query: `DROP DATABASE IF EXISTS ${upgrade.database}` })
      }
    })

    securityEntitiesContract(() => store)

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
