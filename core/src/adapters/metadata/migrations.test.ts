import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MetadataError } from '../../errors'
import type { MetadataStore } from '../../ports/metadata'
import { applyMetadataMigrations } from './migrations'
import type { MetadataMigration } from './migrations'
import { createSqliteMetadataStore } from './sqlite-metadata'

const dir = mkdtempSync(join(tmpdir(), 'faultline-migrations-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const freshPath = () => join(dir, `m${files++}.sqlite`)

/** Migrations that record each run in a `runs` collection, slowly, so concurrent starts overlap. */
function recordingMigrations(count: number, ran: number[]): MetadataMigration[] {
  return Array.from({ length: count }, (_, i) => ({
    version: i + 1,
    name: `step-${i + 1}`,
    async up(store: MetadataStore) {
      ran.push(i + 1)
      await new Promise((resolve) => setTimeout(resolve, 20))
      const runs = await store.collection<{ _id: string; n: number }>({ name: 'runs', indexes: [] })
      await runs.findOneAndUpdate({ _id: `v${i + 1}` }, { $inc: { n: 1 } }, { upsert: true })
    },
  }))
}

describe('applyMetadataMigrations', () => {
  it('applies each version once, in order, when two processes start together', async () => {
    const path = freshPath()
    const [one, two] = [createSqliteMetadataStore({ path }), createSqliteMetadataStore({ path })]
    const ran: number[] = []
    const migrations = recordingMigrations(3, ran)
    const [a, b] = await Promise.all([
      applyMetadataMigrations(one, migrations, { pollMs: 5 }),
      applyMetadataMigrations(two, [...migrations].reverse(), { pollMs: 5 }),
    ])
    expect([...a, ...b].sort()).toEqual([1, 2, 3])
    expect(ran).toEqual([1, 2, 3])
    const runs = await one.collection<{ _id: string; n: number }>({ name: 'runs', indexes: [] })
    expect((await runs.find({})).map((doc) => doc.n)).toEqual([1, 1, 1])
    const records = await one.collection<{ _id: string; state: string }>({ name: '_migrations', indexes: [] })
    expect((await records.find({})).map((doc) => doc.state)).toEqual(['done', 'done', 'done'])
    expect(await applyMetadataMigrations(two, migrations)).toEqual([])
    await one.close()
    await two.close()
  })

  it('does not record a failed migration, stops there, and retries it on the next start', async () => {
    const store = createSqliteMetadataStore({ path: freshPath() })
    const ran: number[] = []
    const [first, second, third] = recordingMigrations(3, ran) as [MetadataMigration, MetadataMigration, MetadataMigration]
    const broken = { ...second, up: async () => Promise.reject(new Error('boom')) }
    await expect(applyMetadataMigrations(store, [first, broken, third])).rejects.toThrow('boom')
    expect(ran).toEqual([1])
    expect(await applyMetadataMigrations(store, [first, second, third])).toEqual([2, 3])
    expect(ran).toEqual([1, 2, 3])
    await store.close()
  })

  it('takes over a claim whose lease expired and waits on a live one', async () => {
    const store = createSqliteMetadataStore({ path: freshPath() })
    const records = await store.collection<{ _id: string; version: number; name: string; state: string; owner: string; leaseUntil: number }>({
      name: '_migrations',
      indexes: [],
    })
    const ran: number[] = []
    const [first, second] = recordingMigrations(2, ran) as [MetadataMigration, MetadataMigration]
    await records.insert({ _id: 'v0000000001', version: 1, name: 'step-1', state: 'running', owner: 'dead', leaseUntil: Date.now() - 1 })
    expect(await applyMetadataMigrations(store, [first])).toEqual([1])
    await records.insert({ _id: 'v0000000002', version: 2, name: 'step-2', state: 'running', owner: 'alive', leaseUntil: Date.now() + 60_000 })
    const error = await applyMetadataMigrations(store, [first, second], { pollMs: 5, waitTimeoutMs: 50 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MetadataError)
    expect((error as MetadataError).code).toBe('unavailable')
    expect(ran).toEqual([1])
    await store.close()
  })

  it('rejects duplicate or invalid versions before running anything', async () => {
    const store = createSqliteMetadataStore({ path: freshPath() })
    const ran: number[] = []
    const [first] = recordingMigrations(1, ran) as [MetadataMigration]
    await expect(applyMetadataMigrations(store, [first, { ...first, name: 'again' }])).rejects.toThrow('two migrations have version 1')
    await expect(applyMetadataMigrations(store, [{ ...first, version: 0 }])).rejects.toThrow('positive integer')
    expect(ran).toEqual([])
    await store.close()
  })
})
