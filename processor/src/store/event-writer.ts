/**
 * Writes grouped events to ClickHouse in one insert per batch, idempotent on event id: events
 * delivered again after a crash are looked up first and not inserted twice. Then the rollup
 * minutes of every event in the batch are recomputed from the stored events, including those of
 * events already stored: a crash after the insert and before the refresh leaves the rollups short
 * only until the batch comes back.
 */
import { refreshRollups, type EventStore, type RollupKey } from '@faultline/core/event-store'
import { toUuid } from '@faultline/core/schema'
import { faultPoint } from '@faultline/core/faults'
import { toErrorEventRow, type GroupedEvent } from './error-rows'

export class EventWriter {
  readonly #store: EventStore

  constructor(store: EventStore) {
    this.#store = store
  }

  /** Returns how many rows were inserted. `redelivered` events are checked for a prior insert. */
  async write(events: GroupedEvent[], redelivered: Set<string>): Promise<number> {
    const stored = await this.#alreadyStored(events.filter((e) => redelivered.has(e.event.eventId)))
    const rows = events.filter((e) => !stored.has(toUuid(e.event.eventId))).map(toErrorEventRow)
    if (rows.length > 0) {
      faultPoint('before-event-insert')
      await this.#store.client.insert({ table: `${this.#store.database}.error_events`, values: rows, format: 'JSONEachRow' })
      faultPoint('after-event-insert')
    }
    const keysByProject = new Map<string, RollupKey[]>()
    for (const { event, fingerprint } of events) {
      let keys = keysByProject.get(event.projectId)
      if (!keys) keysByProject.set(event.projectId, (keys = []))
      keys.push({ fingerprint, timestamp: event.timestamp })
    }
    for (const [projectId, keys] of keysByProject) await refreshRollups(this.#store, projectId, keys)
    return rows.length
  }

  async #alreadyStored(events: GroupedEvent[]): Promise<Set<string>> {
    if (events.length === 0) return new Set()
    const result = await this.#store.client.query({
      query: `SELECT DISTINCT toString(event_id) AS id FROM ${this.#store.database}.error_events
              WHERE project_id IN {projects:Array(UInt64)} AND event_id IN {ids:Array(UUID)}`,
      query_params: {
        projects: [...new Set(events.map((e) => Number(e.event.projectId)))],
        ids: events.map((e) => toUuid(e.event.eventId)),
      },
      format: 'JSONEachRow',
    })
    return new Set((await result.json<{ id: string }>()).map((row) => row.id))
  }
}
