/** A tenant collection on a real SQLite store: another organization's documents are out of reach through every call. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { createSqliteMetadataStore } from '../adapters/metadata'
import { MetadataError } from '../errors'
import { TenantCollection } from './tenant-collection'

interface Thing {
  _id: string
  orgId: string
  projectId: string
  n: number
  note?: string
}

const dir = mkdtempSync(join(tmpdir(), 'fl-tenant-'))
const store = createSqliteMetadataStore({ path: join(dir, 'metadata.sqlite') })
let things: TenantCollection<Thing>
let round = 0

afterAll(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

beforeEach(async () => {
  things = await TenantCollection.open<Thing>(store, { name: `things_${++round}`, indexes: ['orgId', 'projectId'] })
  // Two organizations whose documents share project numbers and values: only the org tells them apart.
  await things.insert('a', { _id: 'a1', projectId: '1', n: 1 })
  await things.insert('b', { _id: 'b1', projectId: '1', n: 1 })
})

const expectCode = async (promise: Promise<unknown>, code: string) => {
  const error = await promise.then(() => null, (e: unknown) => e)
  expect(error).toBeInstanceOf(MetadataError)
  expect((error as MetadataError).code).toBe(code)
}

describe('TenantCollection', () => {
  it('reads only the organization named', async () => {
    expect(await things.get('a', 'b1')).toBeNull()
    expect((await things.get('b', 'b1'))?.orgId).toBe('b')
    expect((await things.getMany('a', ['b1', 'a1', 'a1'])).map((t) => t._id)).toEqual(['a1'])
    expect((await things.find('a', { projectId: '1' })).map((t) => t._id)).toEqual(['a1'])
    expect((await things.findOne('a', { n: 1, _id: 'b1' }))).toBeNull()
    expect(await things.count('a', {})).toBe(1)
    // An $or cannot widen the scope: the organization holds beside it.
    expect((await things.find('a', { $or: [{ _id: 'b1' }, { _id: 'a1' }] })).map((t) => t._id)).toEqual(['a1'])
  })

  it('changes and deletes only the organization named', async () => {
    expect(await things.updateMany('a', { projectId: '1' }, { $inc: { n: 1 } })).toBe(1)
    expect(await things.findOneAndUpdate('a', { _id: 'b1' }, { $set: { note: 'x' } })).toBeNull()
    expect(await things.deleteMany('a', {})).toBe(1)
    expect(await things.get('b', 'b1')).toEqual({ _id: 'b1', orgId: 'b', projectId: '1', n: 1 })
  })

  it('refuses to upsert or put over another organization, and inserts upserts with the organization', async () => {
    await expectCode(things.findOneAndUpdate('a', { _id: 'b1' }, { $set: { n: 9 } }, { upsert: true }), 'duplicate')
    await expectCode(things.put('a', { _id: 'b1', projectId: '1', n: 9 }), 'duplicate')
    expect((await things.get('b', 'b1'))?.n).toBe(1)
    expect(await things.findOneAndUpdate('a', { _id: 'a2' }, { $setOnInsert: { projectId: '2', n: 5 } }, { upsert: true })).toEqual({ _id: 'a2', orgId: 'a', projectId: '2', n: 5 })
    await things.put('a', { _id: 'a1', projectId: '1', n: 7 })
    expect(await things.get('a', 'a1')).toEqual({ _id: 'a1', orgId: 'a', projectId: '1', n: 7 })
    await things.findOneAndUpdate('a', { _id: 'a1' }, { $set: { note: 'kept until the next put' } })
    await things.put('a', { _id: 'a1', projectId: '1', n: 8 })
    expect(await things.get('a', 'a1')).toEqual({ _id: 'a1', orgId: 'a', projectId: '1', n: 8 })
  })

  it('refuses a query without an organization, a filter naming another, and an update moving a document', async () => {
    await expectCode(things.find('', {}), 'invalid_query')
    await expectCode(things.find('a', { orgId: 'b' }), 'invalid_query')
    await expectCode(things.updateMany('a', {}, { $set: { orgId: 'b' } }), 'invalid_query')
    await expectCode(things.put('a', { _id: 'a1', orgId: 'b', projectId: '1', n: 1 }), 'invalid_query')
    // Naming the same organization again changes nothing and is allowed.
    expect(await things.updateMany('a', {}, { $set: { orgId: 'a', n: 3 } })).toBe(1)
    await expectCode(things.findOneAndUpdate('a', { _id: 'a1' }, { $unset: ['orgId'] }), 'invalid_query')
  })
})
