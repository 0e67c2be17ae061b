/**
 * Rollups against stored events in a Faultline data directory that a child process owns (chDB
 * binds one data directory per process, so the read runs in a script of its own).
 */
import { resolve } from 'node:path'
import type { RollupTotals } from '@faultline/core/event-store'
import { runScript } from './processes'

/** A project's event totals from `error_events` and from each rollup; see `rollupTotals`. */
export async function storedRollupTotals(dataDir: string, projectId: string): Promise<RollupTotals> {
  const script = `
    import { createEventStore, rollupTotals } from '@faultline/core/event-store'
    const store = await createEventStore({ user: 'default', password: '', database: 'faultline', chdbPath: process.env.CHDB_PATH })
    try {
      process.stdout.write(JSON.stringify(await rollupTotals(store, process.env.PROJECT_ID)))
    } finally {
      await store.close()
    }`
  return JSON.parse(await runScript(script, { CHDB_PATH: resolve(dataDir, 'clickhouse'), PROJECT_ID: projectId })) as RollupTotals
}
