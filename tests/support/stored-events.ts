/**
 * What a Faultline data directory holds for a project once it is stopped: rows per event id read
 * without FINAL (a duplicate insert shows as a second row until a merge folds it: see holdMerges)
 * and the sums of the per-minute rollups.
 */
import { resolve } from 'node:path'
import { runScript } from './processes'

export interface StoredEvents {
  /** Rows per event id (32 hex digits). */
  rows: Map<string, number>
  /** Distinct stored events with a message template, which is what template_minute counts. */
  templated: number
  /** Active parts of error_events: as many as inserts while merges are held. */
  parts: number
  rollups: { fingerprintMinute: number; projectMinute: number; templateMinute: number }
}

/**
 * Creates the event store of a fresh data directory with merges of `error_events` turned off (a
 * persisted table setting: no merge may exceed 1 byte), so a duplicate insert stays visible as a
 * second row however long the test runs. ReplacingMergeTree folds duplicates in the background,
 * within seconds on chDB, which made catching a removed redelivery check a matter of timing.
 */
export async function holdMerges(dataDir: string): Promise<void> {
  const script = `
    import { applyEventStoreMigrations, createEventStore } from '@faultline/core/event-store'
    const store = await createEventStore({ user: 'default', password: '', database: 'faultline', chdbPath: process.env.CHDB_PATH })
    try {
      await applyEventStoreMigrations(store)
      await store.client.command({ query: 'ALTER TABLE faultline.error_events MODIFY SETTING max_bytes_to_merge_at_max_space_in_pool = 1, max_bytes_to_merge_at_min_space_in_pool = 1' })
    } finally {
      await store.close()
    }`
  await runScript(script, { CHDB_PATH: resolve(dataDir, 'clickhouse') })
}

export async function storedEvents(dataDir: string, projectId: string): Promise<StoredEvents> {
  const script = `
    import { createEventStore } from '@faultline/core/event-store'
    const store = await createEventStore({ user: 'default', password: '', database: 'faultline', chdbPath: process.env.CHDB_PATH })
    const read = async (query) => {
      const result = await store.client.query({ query, query_params: { p: Number(process.env.PROJECT_ID) }, format: 'JSONEachRow' })
      return result.json()
    }
    try {
      const rows = await read('SELECT replaceAll(toString(event_id), \\'-\\', \\'\\') AS id, count() AS n FROM faultline.error_events WHERE project_id = {p:UInt64} GROUP BY event_id')
      const [templated] = await read('SELECT uniqExact(event_id) AS n FROM faultline.error_events WHERE project_id = {p:UInt64} AND template_id != \\'\\'')
      const sums = {}
      for (const table of ['fingerprint_minute', 'project_minute', 'template_minute']) {
        // FINAL: rows of one minute merge however the table merges them (summed or, idempotent, by max).
        const [row] = await read('SELECT sum(events) AS n FROM faultline.' + table + ' FINAL WHERE project_id = {p:UInt64}')
        sums[table] = Number(row.n)
      }
      const [parts] = await read('SELECT count() AS n FROM system.parts WHERE database = \\'faultline\\' AND table = \\'error_events\\' AND active AND {p:UInt64} > 0')
      process.stdout.write(JSON.stringify({ rows, templated: Number(templated.n), sums, parts: Number(parts.n) }))
    } finally {
      await store.close()
    }`
  const out = JSON.parse(await runScript(script, { CHDB_PATH: resolve(dataDir, 'clickhouse'), PROJECT_ID: projectId })) as {
    rows: { id: string; n: number }[]
    templated: number
    parts: number
    sums: Record<'fingerprint_minute' | 'project_minute' | 'template_minute', number>
  }
  return {
    rows: new Map(out.rows.map((row) => [row.id, Number(row.n)])),
    templated: out.templated,
    parts: out.parts,
    rollups: { fingerprintMinute: out.sums.fingerprint_minute, projectMinute: out.sums.project_minute, templateMinute: out.sums.template_minute },
  }
}
