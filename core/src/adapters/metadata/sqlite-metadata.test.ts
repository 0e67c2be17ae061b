import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import type { Filter, Sort } from '../../ports/metadata'
import { describeMetadataContract } from './metadata.contract'
import { createSqliteMetadataStore } from './sqlite-metadata'
import { effectiveSort, filterSql, keysetSegments, orderSql } from './sqlite-query'

const dir = mkdtempSync(join(tmpdir(), 'faultline-metadata-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describeMetadataContract('sqlite', async () => createSqliteMetadataStore({ path: join(dir, 'contract.sqlite') }))

describe('sqlite metadata store', () => {
  it('commits findOneAndUpdate calls issued together as one group: a failing one undoes only itself, and later reads see them all', async () => {
    const store = createSqliteMetadataStore({ path: join(dir, 'grouped.sqlite') })
    const items = await store.collection<{ _id: string; key: string; n?: number }>({ name: 'grouped', indexes: [], unique: [['key']] })
    await items.insert({ _id: 'taken', key: 'k-taken' })
    const results = await Promise.allSettled([
      items.findOneAndUpdate({ _id: 'a' }, { $setOnInsert: { key: 'k-a' }, $inc: { n: 1 } }, { upsert: true }),
      // Violates the unique key: rejected, and only it.
      items.findOneAndUpdate({ _id: 'b' }, { $setOnInsert: { key: 'k-taken' } }, { upsert: true }),
      items.findOneAndUpdate({ _id: 'a' }, { $inc: { n: 1 } }),
      items.findOneAndUpdate({ _id: 'c' }, { $setOnInsert: { key: 'k-c' } }, { upsert: true }),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'duplicate' })
    expect((results[2] as PromiseFulfilledResult<unknown>).value).toMatchObject({ _id: 'a', n: 2 })
    // A read issued in the same run as a write sees it.
    const pending = items.findOneAndUpdate({ _id: 'c' }, { $inc: { n: 5 } })
    expect(await items.get('c')).toMatchObject({ n: 5 })
    await pending
    expect((await items.find({}, { sort: { field: '_id', direction: 'asc' } })).map((d) => d._id)).toEqual(['a', 'c', 'taken'])
    await store.close()
  })

  it('shares one file between store instances', async () => {
    const path = join(dir, 'shared.sqlite')
    const one = createSqliteMetadataStore({ path })
    const two = createSqliteMetadataStore({ path })
    const spec = { name: 'things', indexes: ['kind'] }
    const a = await one.collection<{ _id: string; kind: string; n?: number }>(spec)
    const b = await two.collection<{ _id: string; kind: string; n?: number }>(spec)
    await a.insert({ _id: '1', kind: 'k' })
    expect(await b.get('1')).toEqual({ _id: '1', kind: 'k' })
    await b.findOneAndUpdate({ kind: 'k' }, { $inc: { n: 1 } })
    await Promise.all([
      ...Array.from({ length: 20 }, () => a.findOneAndUpdate({ _id: '1' }, { $inc: { n: 1 } })),
      ...Array.from({ length: 20 }, () => b.findOneAndUpdate({ _id: '1' }, { $inc: { n: 1 } })),
    ])
    expect((await a.get('1'))?.n).toBe(41)
    await one.close()
    await two.close()
  })
})

describe('sqlite metadata on 10k issues', () => {
  const path = join(dir, 'issues.sqlite')
  const spec = { name: 'issues', indexes: ['projectId', 'status', 'lastSeen', 'count'], unique: [['projectId', 'fingerprint']] }
  const statuses = ['unresolved', 'unresolved', 'resolved', 'ignored']
  const listFilter: Filter = { projectId: 'p1', status: 'unresolved' }
  const listSort: Sort = { field: 'lastSeen', direction: 'desc' }

  const plan = (filter: Filter, sort: Sort, after?: { value: string; id: string }): string => {
    const db = new Database(path, { readonly: true })
    try {
      const params = filterSql(filter).params
      const segment = keysetSegments(effectiveSort({ sort }), after)[0] as { sql: string; params: (string | number | null)[] }
      const sql = `SELECT doc FROM issues WHERE (${filterSql(filter).sql}) AND ${segment.sql} ${orderSql(sort)} LIMIT 25`
      const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params, ...segment.params) as { detail: string }[]
      return rows.map((row) => row.detail).join(' | ')
    } finally {
      db.close()
    }
  }

  it('answers an issue-list page from the indexes, never a table scan', async () => {
    const writer = createSqliteMetadataStore({ path, optimizeIntervalMs: 0 })
    const issues = await writer.collection<{ _id: string; lastSeen: string }>(spec)
    for (let i = 0; i < 10_000; i++) {
      await issues.insert({
        _id: `i${i}`,
        projectId: `p${i % 2}`,
        fingerprint: `f${i}`,
        status: statuses[i % 4],
        lastSeen: new Date(1_700_000_000_000 + ((i * 7919) % 10_000) * 60_000).toISOString(),
        count: i % 97,
        title: `TypeError: cannot read property x${i} of undefined`,
      } as never)
    }
    await writer.close()

    // Statistics are gathered on close (and at open when missing); the planner then either seeks
    // an equality index and sorts that subset, or walks (lastSeen, id) and stops after 25 rows.
    // Never a full table scan, and a later page seeks past the keyset position.
    const store = createSqliteMetadataStore({ path, optimizeIntervalMs: 0 })
    const reader = await store.collection<{ _id: string; lastSeen: string }>(spec)
    const page = await reader.find(listFilter, { sort: listSort, limit: 25 })
    const last = page[24] as { _id: string; lastSeen: string }
    const after = { value: last.lastSeen, id: last._id }
    for (const detail of [plan(listFilter, listSort), plan(listFilter, listSort, after)]) {
      console.info(`issue list plan: ${detail}`)
      expect(detail).toMatch(/^SEARCH issues USING INDEX issues__ix_\w+ \(<expr>[=<]\?\)/)
    }
    expect(plan({ projectId: 'p1', fingerprint: 'f1' }, { field: '_id', direction: 'asc' })).toMatch(/USING INDEX issues__uxl_\w+ \(<expr>=\? AND <expr>=\?\)/)

    // The plans above are what keeps a page fast; its time is measured by `npm run bench -- input-costs`.
    const second = await reader.find(listFilter, { sort: listSort, limit: 25, after })
    expect((second[0]?.lastSeen ?? '') <= last.lastSeen && second.length === 25).toBe(true)
    expect(second.map((doc) => doc._id)).not.toContain(last._id)
    await store.close()
  })
})
