/**
 * The embedded event store's chDB connections, through the event store it opens: statements run
 * beside each other, settings stay with the statement that gave them, parameters are bound as before.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEventStore, type EventStore } from './event-store'

const dir = mkdtempSync(join(tmpdir(), 'fl-chdb-connections-'))
let store: EventStore

beforeAll(async () => {
  store = await createEventStore({ user: 'default', password: '', database: 'default', chdbPath: dir })
}, 60_000)

afterAll(async () => {
  await store?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function one<T>(query: string, options: { query_params?: Record<string, unknown>; clickhouse_settings?: Record<string, string | number> } = {}): Promise<T> {
  const result = await store.client.query({ query, format: 'JSONEachRow', ...options })
  return (await result.json<T>())[0]!
}

describe('chDB connection pool', () => {
  it('answers a quick statement while a slow one runs', async () => {
    const finished: string[] = []
    // sleepEachRow holds its connection for about 2 s; with one connection the quick one waited behind it.
    const slow = one('SELECT sum(sleepEachRow(0.5)) AS n FROM numbers(4)').then(() => finished.push('slow'))
    await new Promise((resolve) => setTimeout(resolve, 100))
    const quick = one('SELECT 1 AS n').then(() => finished.push('quick'))
    await Promise.all([slow, quick])
    expect(finished).toEqual(['quick', 'slow'])
  })

  it('keeps a setting to the statement that gave it', async () => {
    const normal = await one<{ m: number }>("SELECT toUInt64(getSetting('max_threads')) AS m")
    const given = await one<{ m: number }>("SELECT toUInt64(getSetting('max_threads')) AS m", { clickhouse_settings: { max_threads: 1 } })
    expect(given.m).toBe(1)
    // Each following statement, on whichever connection, runs with the default again.
    for (let i = 0; i < 4; i++) expect(await one<{ m: number }>("SELECT toUInt64(getSetting('max_threads')) AS m")).toEqual(normal)
  })

  it('binds parameters exactly, quotes and backslashes included', async () => {
    const text = "it's a \\'quoted\\' back\\slash\nand a tab\t"
    expect(await one<{ s: string; n: number }>('SELECT {s:String} AS s, length({a:Array(String)}) AS n', { query_params: { s: text, a: [text, 'b'] } })).toEqual({ s: text, n: 2 })
  })

  it('refuses a setting name that is not one', async () => {
    await expect(one('SELECT 1 AS n', { clickhouse_settings: { 'max_threads = 1; DROP TABLE x; --': 1 } })).rejects.toThrow(/invalid ClickHouse setting name/)
  })
})
