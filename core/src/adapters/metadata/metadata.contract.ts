/**
 * The metadata port's contract, run against every adapter (sqlite-metadata.test.ts,
 * mongo-metadata.int.test.ts). Each test declares its own collection, so one store serves all.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MetadataError } from '../../errors'
import type { Collection, CollectionSpec, Document, Filter, MetadataStore, Scalar } from '../../ports/metadata'

interface Item extends Document {
  name?: string
  n?: number | null
  flag?: boolean
  tags?: Scalar[]
  meta?: { level?: number; owner?: string }
  mixed?: Scalar
  count?: number
  [key: string]: unknown
}

async function expectCode(promise: Promise<unknown>, code: MetadataError['code']): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, `expected MetadataError ${code}`).toBeInstanceOf(MetadataError)
  expect((error as MetadataError).code).toBe(code)
}

const ids = (docs: Document[]): string[] => docs.map((doc) => doc._id)

export function describeMetadataContract(name: string, makeStore: () => Promise<MetadataStore>): void {
  describe(`metadata contract: ${name}`, () => {
    let store: MetadataStore
    const open = async <T extends Document = Item>(spec: Partial<CollectionSpec> = {}): Promise<Collection<T>> =>
      store.collection<T>({ name: `c_${randomUUID().replaceAll('-', '').slice(0, 16)}`, indexes: [], ...spec })

    beforeAll(async () => {
      store = await makeStore()
      await store.ping()
    })
    afterAll(async () => {
      await store?.close()
    })

    const sample: Item[] = [
      { _id: 'a', name: 'Alpha', n: 1, flag: true, tags: ['x', 'y'], meta: { level: 3, owner: 'ann' }, mixed: 1 },
      { _id: 'b', name: 'beta "quoted"', n: 0, flag: false, tags: ['y'], meta: { level: 1 }, mixed: true },
      { _id: 'c', name: '100% off_sale', n: 5, flag: true, tags: [], mixed: '1' },
      { _id: 'd', name: 'Ünïcode ÉCOLE', n: null, tags: [1, true, null], meta: { level: 2, owner: 'bob' }, mixed: 0 },
      { _id: 'e', n: 10, flag: false, mixed: false },
    ]
    const seeded = async (): Promise<Collection<Item>> => {
      const items = await open({ indexes: ['name', 'n', 'flag', 'meta.level'] })
      for (const doc of sample) await items.insert(doc)
      return items
    }
    const match = async (items: Collection<Item>, filter: Filter): Promise<string[]> => ids(await items.find(filter)).sort()

    it('stores and returns documents with types intact', async () => {
      const items = await seeded()
      expect(await items.get('a')).toEqual(sample[0])
      expect(await items.get('missing')).toBeNull()
      expect(ids(await items.getMany(['e', 'zz', 'a']))).toEqual(['e', 'a'])
      expect(await items.getMany([])).toEqual([])
      const e = await items.get('e')
      expect(typeof e?.n).toBe('number')
      expect(e?.flag).toBe(false)
      await items.put({ _id: 'a', name: 'replaced' })
      expect(await items.get('a')).toEqual({ _id: 'a', name: 'replaced' })
      await items.put({ _id: 'new', n: 2.5 })
      expect((await items.get('new'))?.n).toBe(2.5)
    })

    it('rejects a second document with the same _id or unique field set', async () => {
      const items = await open({ indexes: ['projectId'], unique: [['projectId', 'fingerprint']] })
      await items.insert({ _id: '1', projectId: 'p', fingerprint: 'f' })
      await expectCode(items.insert({ _id: '1', projectId: 'q', fingerprint: 'g' }), 'duplicate')
      await expectCode(items.insert({ _id: '2', projectId: 'p', fingerprint: 'f' }), 'duplicate')
      await expectCode(items.put({ _id: '3', projectId: 'p', fingerprint: 'f' }), 'duplicate')
      await expectCode(
        items.findOneAndUpdate({ projectId: 'p', fingerprint: 'f', status: 'x' }, { $set: { seen: true } }, { upsert: true, insertId: '4' }),
        'duplicate',
      )
      // Only documents with every field of the set are bound by it.
      await items.insert({ _id: '5', projectId: 'p' })
      await items.insert({ _id: '6', projectId: 'p' })
      await items.insert({ _id: '7', projectId: 'p', fingerprint: 'g' })
      expect(await items.count({})).toBe(4)
    })

    it('drops a unique field set on request, idempotently, leaving the others', async () => {
      const name = `c_${randomUUID().replaceAll('-', '').slice(0, 16)}`
      const items = await store.collection<Item>({ name, indexes: [], unique: [['slug'], ['orgId', 'slug']] })
      await items.insert({ _id: '1', orgId: 'a', slug: 's' })
      await expectCode(items.insert({ _id: '2', orgId: 'b', slug: 's' }), 'duplicate')
      await store.dropUnique(name, ['slug'])
      await store.dropUnique(name, ['slug'])
      await store.dropUnique(`c_${randomUUID().replaceAll('-', '').slice(0, 16)}`, ['slug'])
      await items.insert({ _id: '2', orgId: 'b', slug: 's' })
      await expectCode(items.insert({ _id: '3', orgId: 'b', slug: 's' }), 'duplicate')
      await expectCode(store.dropUnique(name, ['bad path!']), 'invalid_query')
    })

    it('matches equality on strings, numbers, booleans and null', async () => {
      const items = await seeded()
      expect(await match(items, { name: 'Alpha' })).toEqual(['a'])
      expect(await match(items, { n: 5 })).toEqual(['c'])
      expect(await match(items, { n: 0 })).toEqual(['b'])
      expect(await match(items, { flag: true })).toEqual(['a', 'c'])
      expect(await match(items, { flag: false })).toEqual(['b', 'e'])
      // Booleans and numbers never equal each other, nor strings and numbers.
      expect(await match(items, { mixed: 1 })).toEqual(['a'])
      expect(await match(items, { mixed: true })).toEqual(['b'])
      expect(await match(items, { mixed: '1' })).toEqual(['c'])
      expect(await match(items, { mixed: 0 })).toEqual(['d'])
      expect(await match(items, { mixed: false })).toEqual(['e'])
      // null matches null and missing.
      expect(await match(items, { n: null })).toEqual(['d'])
      expect(await match(items, { name: null })).toEqual(['e'])
      expect(await match(items, { name: { $eq: 'Alpha' }, n: { $eq: 1 } })).toEqual(['a'])
      expect(await match(items, { _id: 'c' })).toEqual(['c'])
      expect(await match(items, { _id: { $in: ['a', 'e', 'nope'] } })).toEqual(['a', 'e'])
    })

    it('applies $ne, $in and ranges with type bracketing', async () => {
      const items = await seeded()
      expect(await match(items, { n: { $ne: 5 } })).toEqual(['a', 'b', 'd', 'e'])
      expect(await match(items, { flag: { $ne: true } })).toEqual(['b', 'd', 'e'])
      expect(await match(items, { name: { $ne: null } })).toEqual(['a', 'b', 'c', 'd'])
      expect(await match(items, { mixed: { $ne: 1 } })).toEqual(['b', 'c', 'd', 'e'])
      expect(await match(items, { n: { $in: [0, 10, 99] } })).toEqual(['b', 'e'])
      expect(await match(items, { mixed: { $in: [true, '1'] } })).toEqual(['b', 'c'])
      expect(await match(items, { name: { $in: ['Alpha', null] } })).toEqual(['a', 'e'])
      expect(await match(items, { name: { $in: [] } })).toEqual([])
      expect(await match(items, { n: { $gt: 1 } })).toEqual(['c', 'e'])
      expect(await match(items, { n: { $gte: 1 } })).toEqual(['a', 'c', 'e'])
      expect(await match(items, { n: { $lt: 5 } })).toEqual(['a', 'b'])
      expect(await match(items, { n: { $lte: 5, $gt: 0 } })).toEqual(['a', 'c'])
      // Strings compare as UTF-8 bytes: 'Ü' sorts after 'z'.
      expect(await match(items, { name: { $gte: 'a' } })).toEqual(['b', 'd'])
      expect(await match(items, { name: { $lt: 'B' } })).toEqual(['a', 'c'])
      // Ranges only compare values of the operand's type.
      expect(await match(items, { mixed: { $gte: 0 } })).toEqual(['a', 'd'])
      expect(await match(items, { mixed: { $lt: 'z' } })).toEqual(['c'])
      expect(await match(items, { mixed: { $gt: false } })).toEqual(['b'])
      expect(await match(items, { n: { $gte: null } })).toEqual(['d'])
      expect(await match(items, { n: { $gt: null } })).toEqual([])
    })

    it('matches array membership with $has', async () => {
      const items = await seeded()
      expect(await match(items, { tags: { $has: 'y' } })).toEqual(['a', 'b'])
      expect(await match(items, { tags: { $has: 1 } })).toEqual(['d'])
      expect(await match(items, { tags: { $has: true } })).toEqual(['d'])
      expect(await match(items, { tags: { $has: null } })).toEqual(['d'])
      expect(await match(items, { tags: { $has: 'nope' } })).toEqual([])
      // A scalar field is not an array.
      expect(await match(items, { name: { $has: 'Alpha' } })).toEqual([])
    })

    it('matches $contains case-insensitively and literally', async () => {
      const items = await seeded()
      expect(await match(items, { name: { $contains: 'ALP' } })).toEqual(['a'])
      expect(await match(items, { name: { $contains: '"quoted"' } })).toEqual(['b'])
      expect(await match(items, { name: { $contains: '100%' } })).toEqual(['c'])
      expect(await match(items, { name: { $contains: '%' } })).toEqual(['c'])
      expect(await match(items, { name: { $contains: 'f_s' } })).toEqual(['c'])
      expect(await match(items, { name: { $contains: '_' } })).toEqual(['c'])
      expect(await match(items, { name: { $contains: '.*' } })).toEqual([])
      expect(await match(items, { name: { $contains: "' OR 1=1 --" } })).toEqual([])
      expect(await match(items, { name: { $contains: 'école' } })).toEqual(['d'])
      expect(await match(items, { n: { $contains: '1' } })).toEqual([])
    })

    it('combines conditions with $or and nested field paths', async () => {
      const items = await seeded()
      expect(await match(items, { $or: [{ n: 5 }, { name: 'Alpha' }] })).toEqual(['a', 'c'])
      expect(await match(items, { flag: true, $or: [{ n: 5 }, { n: 10 }] })).toEqual(['c'])
      expect(await match(items, { $or: [{ $or: [{ _id: 'a' }] }, { 'meta.owner': 'bob' }] })).toEqual(['a', 'd'])
      expect(await match(items, { $or: [] })).toEqual([])
      expect(await match(items, { 'meta.level': { $gte: 2 } })).toEqual(['a', 'd'])
      expect(await match(items, { 'meta.owner': null })).toEqual(['b', 'c', 'e'])
      expect(await match(items, {})).toEqual(['a', 'b', 'c', 'd', 'e'])
      expect(await match(items, { name: undefined, n: 5 })).toEqual(['c'])
    })

    it('rejects hostile and malformed queries with invalid_query', async () => {
      const items = await seeded()
      const hostile = "a') OR 1=1 --"
      await expectCode(items.find({ [hostile]: 1 }), 'invalid_query')
      await expectCode(items.find({ name: { [hostile]: 1 } as never }), 'invalid_query')
      await expectCode(items.find({}, { sort: { field: hostile, direction: 'asc' } }), 'invalid_query')
      await expectCode(items.count({ $or: [{ [`x"]`]: 1 }] }), 'invalid_query')
      await expectCode(items.deleteMany({ 'a..b': 1 }), 'invalid_query')
      await expectCode(items.findOneAndUpdate({ _id: 'a' }, { $set: { [hostile]: 1 } }), 'invalid_query')
      await expectCode(items.updateMany({}, { $unset: ['$where'] }), 'invalid_query')
      await expectCode(items.find({ name: { $in: 'Alpha' as never } }), 'invalid_query')
      await expectCode(items.find({ name: { $regex: '.*' } as never }), 'invalid_query')
      await expectCode(items.find({ name: { nested: 1 } as never }), 'invalid_query')
      await expectCode(items.find({ name: [{ n: 1 }] }), 'invalid_query')
      await expectCode(store.collection({ name: 'c_ok', indexes: [hostile] }), 'invalid_query')
      await expectCode(store.collection({ name: 'x; DROP TABLE y', indexes: [] }), 'invalid_query')
      expect(await items.count({})).toBe(5)
    })

    it('sorts both ways and paginates through ties and missing values', async () => {
      const items = await open({ indexes: ['score'] })
      const docs: Item[] = []
      for (let i = 0; i < 40; i++) {
        const doc: Item = { _id: `d${String((i * 17) % 40).padStart(2, '0')}` }
        if (i % 7 !== 3) doc.score = i % 5 === 0 ? null : Math.floor(i / 4)
        docs.push(doc)
      }
      for (const doc of [...docs].reverse()) await items.insert(doc)
      const key = (doc: Item): number => (doc.score === undefined || doc.score === null ? -Infinity : (doc.score as number))
      for (const direction of ['asc', 'desc'] as const) {
        const sign = direction === 'asc' ? 1 : -1
        const expected = [...docs]
          .sort((x, y) => sign * (key(x) - key(y) || (x._id < y._id ? -1 : 1)))
          .map((doc) => doc._id)
        const sort = { field: 'score', direction }
        expect(ids(await items.find({}, { sort }))).toEqual(expected)
        const pages: string[] = []
        let after: { value: Scalar; id: string } | undefined
        for (let page = 0; page < 20; page++) {
          const batch = await items.find({}, { sort, limit: 6, after })
          if (batch.length === 0) break
          pages.push(...ids(batch))
          const last = batch[batch.length - 1] as Item
          after = { value: (last.score as Scalar | undefined) ?? null, id: last._id }
        }
        expect(pages).toEqual(expected)
        const idPages = await items.find({}, { sort: { field: '_id', direction }, limit: 5, after: { value: null, id: 'd20' } })
        expect(ids(idPages)).toEqual(direction === 'asc' ? ['d21', 'd22', 'd23', 'd24', 'd25'] : ['d19', 'd18', 'd17', 'd16', 'd15'])
      }
      expect(ids(await items.find({ score: { $gte: 8 } }, { sort: { field: 'score', direction: 'desc' }, limit: 3 }))).toEqual(
        ids(await items.find({ score: { $gte: 8 } }, { sort: { field: 'score', direction: 'desc' } })).slice(0, 3),
      )
      expect(await items.find({}, { limit: 0 })).toEqual([])
      expect(ids(await items.find({}, { limit: 3 }))).toEqual(['d00', 'd01', 'd02'])
      expect((await items.findOne({ score: 9 }))?._id).toBe('d12')
    })

    it('upserts with equality fields from the filter and $setOnInsert only on insert', async () => {
      const items = await open({ indexes: ['projectId'], unique: [['projectId', 'fingerprint']] })
      const filter = { projectId: 'p1', fingerprint: { $eq: 'fp' } }
      const update = { $setOnInsert: { status: 'unresolved', 'first.at': 'now' }, $inc: { count: 1 }, $set: { lastTitle: 'T1' } }
      const inserted = await items.findOneAndUpdate(filter, update, { upsert: true, insertId: 'issue-1' })
      expect(inserted).toEqual({ _id: 'issue-1', projectId: 'p1', fingerprint: 'fp', status: 'unresolved', first: { at: 'now' }, count: 1, lastTitle: 'T1' })
      await items.updateMany({ _id: 'issue-1' }, { $set: { status: 'resolved' } })
      const again = await items.findOneAndUpdate(filter, { ...update, $set: { lastTitle: 'T2' } }, { upsert: true, insertId: 'issue-2' })
      expect(again).toMatchObject({ _id: 'issue-1', status: 'resolved', count: 2, lastTitle: 'T2' })
      expect(await items.count({})).toBe(1)
      expect(await items.findOneAndUpdate({ projectId: 'none' }, { $inc: { count: 1 } })).toBeNull()
      await expectCode(items.findOneAndUpdate({ projectId: 'p9' }, { $inc: { count: 1 } }, { upsert: true }), 'invalid_query')
      const byId = await items.findOneAndUpdate({ _id: 'chosen' }, { $set: { projectId: 'p2' } }, { upsert: true, insertId: 'ignored' })
      expect(byId).toEqual({ _id: 'chosen', projectId: 'p2' })
    })

    it('applies $inc, $max and $min to missing and present fields', async () => {
      const items = await open()
      await items.insert({ _id: 'x', count: 5, meta: { level: 2 }, hi: 'm' })
      let doc = await items.findOneAndUpdate({ _id: 'x' }, { $inc: { count: 2, fresh: 3, 'meta.hits': 1 } })
      expect(doc).toMatchObject({ count: 7, fresh: 3, meta: { level: 2, hits: 1 } })
      doc = await items.findOneAndUpdate({ _id: 'x' }, { $inc: { count: -0.5 } })
      expect(doc?.count).toBe(6.5)
      doc = await items.findOneAndUpdate({ _id: 'x' }, { $max: { 'meta.level': 1, top: 4, hi: 'z' }, $min: { low: 9, count: 1 } })
      expect(doc).toMatchObject({ meta: { level: 2, hits: 1 }, top: 4, hi: 'z', low: 9, count: 1 })
      doc = await items.findOneAndUpdate({ _id: 'x' }, { $max: { 'meta.level': 8 }, $min: { low: 10, hi: 'a' } })
      expect(doc).toMatchObject({ meta: { level: 8 }, low: 9, hi: 'a' })
      await expectCode(items.findOneAndUpdate({ _id: 'x' }, { $inc: { hi: 1 } }), 'invalid_query')
      expect((await items.get('x'))?.hi).toBe('a')
    })

    it('keeps $addToSet unique and bounded, dropping the oldest, and applies $set/$unset', async () => {
      const items = await open()
      await items.insert({ _id: 's', keep: 1, gone: 2, nested: { a: 1, b: 2 } })
      for (const value of ['r1', 'r2', 'r2', 'r3', 'r1', 'r4']) {
        await items.findOneAndUpdate({ _id: 's' }, { $addToSet: { releases: { value, limit: 3 } } })
      }
      expect((await items.get('s'))?.releases).toEqual(['r2', 'r3', 'r4'])
      const doc = await items.findOneAndUpdate(
        { _id: 's' },
        { $set: { 'nested.c': { deep: [1, 'two'] }, keep: 'changed' }, $unset: ['gone', 'nested.a', 'absent'], $addToSet: { nums: { value: 1, limit: 2 } } },
      )
      expect(doc).toEqual({ _id: 's', keep: 'changed', nested: { b: 2, c: { deep: [1, 'two'] } }, releases: ['r2', 'r3', 'r4'], nums: [1] })
      await expectCode(items.findOneAndUpdate({ _id: 's' }, { $addToSet: { keep: { value: 1, limit: 2 } } }), 'invalid_query')
      await expectCode(items.findOneAndUpdate({ _id: 's' }, { $set: { a: 1 }, $inc: { a: 1 } }), 'invalid_query')
      await expectCode(items.findOneAndUpdate({ _id: 's' }, { $set: { nested: 1 }, $unset: ['nested.b'] }), 'invalid_query')
      await expectCode(items.findOneAndUpdate({ _id: 's' }, { $set: { _id: 'other' } }), 'invalid_query')
    })

    it('updates, counts and deletes many', async () => {
      const items = await seeded()
      expect(await items.updateMany({ flag: true }, { $set: { picked: true }, $inc: { n: 100 } })).toBe(2)
      expect(await match(items, { picked: true })).toEqual(['a', 'c'])
      expect((await items.get('c'))?.n).toBe(105)
      expect(await items.updateMany({ name: 'nobody' }, { $set: { picked: true } })).toBe(0)
      expect(await items.count({ picked: true })).toBe(2)
      expect(await items.count({})).toBe(5)
      expect(await items.deleteMany({ $or: [{ picked: true }, { _id: 'e' }] })).toBe(3)
      expect(await items.count({})).toBe(2)
      expect(await items.deleteMany({})).toBe(2)
      expect(await items.count({})).toBe(0)
    })

    it('keeps 50 concurrent increments and upserts exact', async () => {
      const items = await open({ indexes: ['key'], unique: [['key']] })
      await items.insert({ _id: 'counter', count: 0 })
      await Promise.all(Array.from({ length: 50 }, () => items.findOneAndUpdate({ _id: 'counter' }, { $inc: { count: 1 } })))
      expect((await items.get('counter'))?.count).toBe(50)
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          items.findOneAndUpdate({ key: 'k' }, { $inc: { count: 1 }, $addToSet: { seen: { value: i % 4, limit: 3 } } }, { upsert: true, insertId: `u${i}` }),
        ),
      )
      const upserted = await items.find({ key: 'k' })
      expect(upserted).toHaveLength(1)
      expect(upserted[0]?.count).toBe(50)
      expect(upserted[0]?.seen).toHaveLength(3)
    })
  })
}
