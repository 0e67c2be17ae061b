/**
 * Writes security events to ClickHouse in one insert per batch, idempotent on event id as the error
 * writer is: events of a redelivered batch are looked up first and not inserted twice. Their rollup
 * and entity rows are added again from the stored events instead: a crash between the insert and
 * its materialized views' writes would otherwise leave them uncounted or unfound, and adding a
 * sketch of the same ids twice changes nothing (see the migrations), nor do entity rows twice.
 */
import type { EventStore } from '@faultline/core/event-store'
import { fillSecurityEntities, securityMinuteSelect } from '@faultline/core/event-store'
import { toUuid } from '@faultline/core/schema'
import type { SecurityEvent } from '@faultline/core/security'
import { securityEventColumns, toSecurityEventRow } from './security-rows'

export interface StoredSecurityEvent {
  projectId: string
  receivedAt: number
  event: SecurityEvent
  redelivered: boolean
}

export class SecurityEventWriter {
  readonly #store: EventStore

  constructor(store: EventStore) {
    this.#store = store
  }

  /** Returns the events inserted now (those not stored before). */
  async write(events: StoredSecurityEvent[]): Promise<StoredSecurityEvent[]> {
    const { client, database } = this.#store
    const stored = await this.#alreadyStored(events.filter((e) => e.redelivered))
    const fresh = events.filter((e) => !stored.has(toUuid(e.event.event.id)))
    if (fresh.length > 0) {
      await client.insert({
        table: `${database}.security_events`,
        columns: securityEventColumns,
        values: fresh.map((e) => toSecurityEventRow(e.projectId, e.receivedAt, e.event)),
        format: 'JSONCompactEachRow',
      })
    }
    if (stored.size > 0) {
      await client.command({
        query: `INSERT INTO ${database}.security_minute ${securityMinuteSelect(database, 'project_id IN {projects:Array(UInt64)} AND event_id IN {ids:Array(UUID)}')}`,
        query_params: { projects: projectsOf(events), ids: [...stored] },
      })
      await fillSecurityEntities(this.#store, events.filter((e) => stored.has(toUuid(e.event.event.id))))
    }
    return fresh
  }

  async #alreadyStored(events: StoredSecurityEvent[]): Promise<Set<string>> {
    if (events.length === 0) return new Set()
    const result = await this.#store.client.query({
      query: `SELECT DISTINCT toString(event_id) AS id FROM ${this.#store.database}.security_events
              WHERE project_id IN {projects:Array(UInt64)} AND event_id IN {ids:Array(UUID)}`,
      query_params: { projects: projectsOf(events), ids: events.map((e) => toUuid(e.event.event.id)) },
      format: 'JSONEachRow',
    })
    return new Set((await result.json<{ id: string }>()).map((row) => row.id))
  }
}

function projectsOf(events: StoredSecurityEvent[]): number[] {
  return [...new Set(events.map((e) => Number(e.projectId)))]
}
