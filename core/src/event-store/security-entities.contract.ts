/** Part of the event-store contract: `security_entities` (migrations 8 to 10), whole events backfilled, written by the view, filled again idempotently. */
import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import type { EventStore } from './event-store'
import { applyEventStoreMigrations, eventStoreMigrations } from './migrations'
import { fillSecurityEntities } from './security-entities'

const project = 11

function securityRow(n: number, at: number) {
  const id = randomUUID()
  return {
    row: { project_id: project, timestamp: at + n, event_id: id, action: 'authn_login_fail', outcome: 'failure', source_ip: '::ffff:203.0.113.7', related_ip: ['203.0.113.7', '198.51.100.1'], user_name: `u${n % 2}`, related_user: [`u${n % 2}`, 'shared'], session_id: n === 0 ? 's1' : '', message: `attempt ${n}`, payload: `{"n":${n}}` },
    key: { projectId: String(project), event: { '@timestamp': new Date(at + n).toISOString(), event: { id: id.replaceAll('-', '') } } },
  }
}

async function entityCounts(store: EventStore): Promise<Record<string, number>> {
  const rows = await (
    await store.client.query({
      query: `SELECT concat(entity_kind, ':', if(entity_kind = 'ip', IPv6NumToString(toFixedString(unhex(entity), 16)), entity)) AS k, uniqExact(event_id) AS n, count() AS copies
              FROM ${store.database}.security_entities FINAL WHERE project_id = ${project} GROUP BY k ORDER BY k`,
      format: 'JSONEachRow',
    })
  ).json<{ k: string; n: number; copies: number }>()
  return Object.fromEntries(rows.map((r) => [r.k, Number(r.n) === Number(r.copies) ? Number(r.n) : -1]))
}

const expected = { 'ip:::ffff:198.51.100.1': 3, 'ip:::ffff:203.0.113.7': 3, 'session:s1': 1, 'user:shared': 3, 'user:u0': 2, 'user:u1': 1 }

export function securityEntitiesContract(getStore: () => EventStore): void {
  it('migrations 8 and 9 fill the entities of the security events stored before them with whole events; filling again adds no copies', async () => {
    const store = getStore()
    const upgrade: EventStore = { ...store, database: `${store.database}_entities` }
    try {
      await applyEventStoreMigrations(upgrade, eventStoreMigrations.filter((m) => m.version < 8))
      const at = Date.now() - 3_600_000
      const events = [0, 1, 2].map((n) => securityRow(n, at))
      await store.client.insert({ table: `${upgrade.database}.security_events`, values: events.map((e) => e.row), format: 'JSONEachRow' })
      expect(await applyEventStoreMigrations(upgrade)).toEqual(eventStoreMigrations.filter((m) => m.version >= 8).map((m) => m.version))
      expect(await entityCounts(upgrade)).toEqual(expected)
      const session = await (
        await store.client.query({ query: `SELECT event_id, message, payload, user_name, related_ip FROM ${upgrade.database}.security_entities WHERE entity_kind = 'session'`, format: 'JSONEachRow' })
      ).json()
      expect(session).toEqual([{ event_id: events[0]!.row.event_id, message: 'attempt 0', payload: '{"n":0}', user_name: 'u0', related_ip: ['203.0.113.7', '198.51.100.1'] }])
      // A redelivered batch fills its entities again: the same rows, merged away, counts unchanged.
      await fillSecurityEntities(upgrade, events.map((e) => e.key))
      await fillSecurityEntities(upgrade, events.slice(1).map((e) => e.key))
      expect(await entityCounts(upgrade)).toEqual(expected)
    } finally {
      await store.client.command({ query: `DROP DATABASE IF EXISTS ${upgrade.database}` })
    }
  })

  it("migration 10's view writes the entity rows of every insert into security_events", async () => {
    const store = getStore()
    const fresh: EventStore = { ...store, database: `${store.database}_entity_view` }
    try {
      await applyEventStoreMigrations(fresh)
      const events = [0, 1, 2].map((n) => securityRow(n, Date.now() - 60_000))
      await store.client.insert({ table: `${fresh.database}.security_events`, values: events.map((e) => e.row), format: 'JSONEachRow' })
      expect(await entityCounts(fresh)).toEqual(expected)
      // The writer's repair of a redelivered batch adds copies that merge away.
      await fillSecurityEntities(fresh, events.map((e) => e.key))
      expect(await entityCounts(fresh)).toEqual(expected)
    } finally {
      await store.client.command({ query: `DROP DATABASE IF EXISTS ${fresh.database}` })
    }
  })
}
