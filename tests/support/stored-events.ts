/**
 * What a Faultline data directory holds for a project once it is stopped: rows per event id read
 * without FINAL (a duplicate insert shows as a second row until a merge folds it) and the sums
 * of the per-minute rollups, which every insert adds to for good (a duplicate insert inflates
 * them even after the merge, an insert lost between the table and its views deflates them).
 */
import { resolve } from 'node:path'
import { runScript } from './processes'

export interface StoredEvents {
  /** Rows per event id (32 hex digits). */
  rows: Map<string, number>
  /** Distinct stored events with a message template, which is what template_minute counts. */
  templated: number
  rollups: { fingerprintMinute: number; projectMinute: number; templateMinute: number }
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
        const [row] = await read('SELECT sum(events) AS n FROM faultline.' + table + ' WHERE project_id = {p:UInt64}')
        sums[table] = Number(row.n)
      }
      process.stdout.write(JSON.stringify({ rows, templated: Number(templated.n), sums }))
    } finally {
      await store.close()
    }`
  const out = JSON.parse(await runScript(script, { CHDB_PATH: resolve(dataDir, 'clickhouse'), PROJECT_ID: projectId })) as {
    rows: { id: string; n: number }[]
    templated: number
    sums: Record<'fingerprint_minute' | 'project_minute' | 'template_minute', number>
  }
  return {
    rows: new Map(out.rows.map((row) => [row.id, Number(row.n)])),
    templated: out.templated,
    rollups: { fingerprintMinute: out.sums.fingerprint_minute, projectMinute: out.sums.project_minute, templateMinute: out.sums.template_minute },
  }
}
