import { describe, expect, it } from 'vitest'
import { MetadataError } from '../../errors'
import { escapeRegex, toMongoFilter, toMongoFind, toMongoKeyset, toMongoSort, toMongoUpdate } from './mongo-query'

const code = (work: () => unknown): string | undefined => {
  try {
    work()
  } catch (error) {
    return error instanceof MetadataError ? error.code : 'other'
  }
  return undefined
}

describe('mongo filter translation', () => {
  it('passes equality, comparison and $in through and maps $has and $contains', () => {
    expect(
      toMongoFilter({
        status: 'unresolved',
        count: { $gte: 2, $lt: 10 },
        level: { $in: ['error', null] },
        assignee: { $ne: null },
        'ignore.until': { $eq: 5 },
        tags: { $has: 'env:prod' },
        title: { $contains: 'a.b*(c)' },
        skipped: undefined,
      }),
    ).toEqual({
      status: 'unresolved',
      count: { $gte: 2, $lt: 10 },
      level: { $in: ['error', null] },
      assignee: { $ne: null },
      'ignore.until': { $eq: 5 },
      tags: { $elemMatch: { $eq: 'env:prod' } },
      title: { $regex: 'a\\.b\\*\\(c\\)', $options: 'i' },
    })
  })

  it('translates $or recursively and an empty $or to match nothing', () => {
    expect(toMongoFilter({ projectId: 'p', $or: [{ _id: 'a' }, { $or: [{ mergedInto: 'a' }] }] })).toEqual({
      projectId: 'p',
      $or: [{ _id: 'a' }, { $or: [{ mergedInto: 'a' }] }],
    })
    expect(toMongoFilter({ $or: [] })).toEqual({ $expr: false })
  })

  it('escapes $contains so user text is matched literally', () => {
    for (const text of ['100%', 'a_b', '.*', '(unclosed', '[x]', 'a+b?', '^$', 'back\\slash', '{2}', 'a|b', "' OR 1=1 --", 'x/y-z']) {
      const { $regex, $options } = (toMongoFilter({ f: { $contains: text } }) as { f: { $regex: string; $options: string } }).f
      const pattern = new RegExp($regex, $options)
      expect(pattern.test(`prefix ${text.toUpperCase()} suffix`), text).toBe(true)
      expect(pattern.test('prefix suffix'), text).toBe(false)
    }
    expect(escapeRegex('a.b')).toBe('a\\.b')
  })

  it('rejects hostile paths and unknown operators with invalid_query', () => {
    expect(code(() => toMongoFilter({ "a') OR 1=1 --": 1 }))).toBe('invalid_query')
    expect(code(() => toMongoFilter({ $where: 'sleep(1000)' } as never))).toBe('invalid_query')
    expect(code(() => toMongoFilter({ a: { $where: 'x' } } as never))).toBe('invalid_query')
    expect(code(() => toMongoFilter({ a: { $regex: '.*' } } as never))).toBe('invalid_query')
    expect(code(() => toMongoFilter({ 'a.$b': 1 }))).toBe('invalid_query')
    expect(code(() => toMongoFilter({ a: { $in: [{ $gt: 1 }] } } as never))).toBe('invalid_query')
  })
})

describe('mongo sort and keyset translation', () => {
  it('sorts on the field then _id in the same direction, _id alone by default', () => {
    expect(toMongoSort({ field: 'lastSeen', direction: 'desc' })).toEqual({ lastSeen: -1, _id: -1 })
    expect(toMongoSort({ field: 'lastSeen', direction: 'asc' })).toEqual({ lastSeen: 1, _id: 1 })
    expect(toMongoSort(undefined)).toEqual({ _id: 1 })
    expect(toMongoSort({ field: '_id', direction: 'desc' })).toEqual({ _id: -1 })
  })

  it('continues after a value, with nulls smallest', () => {
    const asc = { field: 'n', direction: 'asc' } as const
    const desc = { field: 'n', direction: 'desc' } as const
    expect(toMongoKeyset(asc, { value: 5, id: 'x' })).toEqual({ $or: [{ n: { $gt: 5 } }, { n: 5, _id: { $gt: 'x' } }] })
    expect(toMongoKeyset(desc, { value: 5, id: 'x' })).toEqual({ $or: [{ n: { $lt: 5 } }, { n: 5, _id: { $lt: 'x' } }, { n: null }] })
    expect(toMongoKeyset(asc, { value: null, id: 'x' })).toEqual({ $or: [{ n: null, _id: { $gt: 'x' } }, { n: { $ne: null } }] })
    expect(toMongoKeyset(desc, { value: null, id: 'x' })).toEqual({ n: null, _id: { $lt: 'x' } })
    expect(toMongoKeyset(undefined, { value: 'ignored', id: 'x' })).toEqual({ _id: { $gt: 'x' } })
    expect(toMongoFind({ p: 'a' }, { sort: desc, after: { value: 1, id: 'y' } })).toEqual({
      $and: [{ p: 'a' }, { $or: [{ n: { $lt: 1 } }, { n: 1, _id: { $lt: 'y' } }, { n: null }] }],
    })
    expect(toMongoFind({ p: 'a' }, {})).toEqual({ p: 'a' })
  })
})

describe('mongo update translation', () => {
  it('uses classic operators without $addToSet and sets the inserted _id on upsert', () => {
    const plan = toMongoUpdate(
      { projectId: 'p', fingerprint: 'f' },
      { $set: { title: 'T' }, $setOnInsert: { status: 'unresolved' }, $inc: { count: 1 }, $max: { lastSeen: 9 }, $min: { firstSeen: 3 }, $unset: ['x', 'y.z'] },
      { upsert: true, insertId: 'id-1' },
    )
    expect(plan).toEqual({
      filter: { projectId: 'p', fingerprint: 'f' },
      pipeline: false,
      update: {
        $set: { title: 'T' },
        $setOnInsert: { status: 'unresolved', _id: 'id-1' },
        $inc: { count: 1 },
        $max: { lastSeen: 9 },
        $min: { firstSeen: 3 },
        $unset: { x: '', 'y.z': '' },
      },
    })
  })

  it('takes _id from the filter over insertId, and needs one of them to upsert', () => {
    expect(toMongoUpdate({ _id: 'a' }, { $inc: { n: 1 } }, { upsert: true, insertId: 'b' }).update).toEqual({ $inc: { n: 1 } })
    expect(toMongoUpdate({ _id: 'a' }, {}, {}).update).toEqual({ $set: {} })
    expect(code(() => toMongoUpdate({ p: 1 }, { $inc: { n: 1 } }, { upsert: true }))).toBe('invalid_query')
  })

  it('rejects conflicting paths, _id changes and bad operands', () => {
    expect(code(() => toMongoUpdate({}, { $set: { a: 1 }, $inc: { a: 1 } }))).toBe('invalid_query')
    expect(code(() => toMongoUpdate({}, { $set: { 'a.b': 1 }, $unset: ['a'] }))).toBe('invalid_query')
    expect(code(() => toMongoUpdate({}, { $set: { _id: 'x' } }))).toBe('invalid_query')
    expect(code(() => toMongoUpdate({}, { $inc: { a: Number.NaN } }))).toBe('invalid_query')
    expect(code(() => toMongoUpdate({}, { $addToSet: { a: { value: 1, limit: 0 } } }))).toBe('invalid_query')
    expect(code(() => toMongoUpdate({}, { $rename: { a: 'b' } } as never))).toBe('invalid_query')
    expect(code(() => toMongoUpdate({}, { $set: { '$where': 1 } }))).toBe('invalid_query')
  })

  it('turns an update with $addToSet into one atomic pipeline', () => {
    const plan = toMongoUpdate({ projectId: 'p' }, { $addToSet: { releases: { value: '$1.0', limit: 3 } }, $set: { title: '$notAField' } })
    expect(plan.pipeline).toBe(true)
    expect(plan.filter).toEqual({ projectId: 'p' })
    expect(plan.update).toEqual([
      {
        $set: {
          title: { $literal: '$notAField' },
          releases: {
            $let: {
              vars: { current: { $ifNull: ['$releases', []] } },
              in: {
                $cond: [
                  { $in: [{ $literal: '$1.0' }, '$$current'] },
                  '$$current',
                  { $slice: [{ $concatArrays: ['$$current', [{ $literal: '$1.0' }]] }, -3] },
                ],
              },
            },
          },
        },
      },
    ])
  })

  it('emulates $setOnInsert, $inc, $max, $min and $unset inside the pipeline', () => {
    const plan = toMongoUpdate(
      { projectId: 'p', fingerprint: 'f' },
      {
        $setOnInsert: { status: 'new' },
        $inc: { count: 2 },
        $max: { lastSeen: 'b' },
        $min: { firstSeen: 'a' },
        $addToSet: { tags: { value: 1, limit: 5 } },
        $unset: ['gone'],
      },
      { upsert: true, insertId: 'id-9' },
    )
    const isInsert = { $eq: [{ $type: '$_id' }, 'missing'] }
    const stages = plan.update as Record<string, Record<string, unknown>>[]
    const set = stages[0]?.$set as Record<string, unknown>
    expect(set._id).toEqual({ $cond: [isInsert, 'id-9', '$_id'] })
    expect(set.status).toEqual({ $cond: [isInsert, { $literal: 'new' }, '$status'] })
    expect(set.count).toEqual({ $add: [{ $cond: [{ $eq: [{ $type: '$count' }, 'missing'] }, 0, { $ifNull: ['$count', 'null'] }] }, 2] })
    expect(set.lastSeen).toEqual({
      $cond: [{ $or: [{ $eq: [{ $type: '$lastSeen' }, 'missing'] }, { $gt: [{ $literal: 'b' }, '$lastSeen'] }] }, { $literal: 'b' }, '$lastSeen'],
    })
    expect(set.firstSeen).toEqual({
      $cond: [{ $or: [{ $eq: [{ $type: '$firstSeen' }, 'missing'] }, { $lt: [{ $literal: 'a' }, '$firstSeen'] }] }, { $literal: 'a' }, '$firstSeen'],
    })
    expect(stages[1]).toEqual({ $unset: ['gone'] })
    expect(stages).toHaveLength(2)
  })

  it('keeps _id out of a pipeline upsert seed so the insert is recognisable', () => {
    const plan = toMongoUpdate({ _id: 'a', projectId: 'p' }, { $addToSet: { t: { value: 1, limit: 2 } } }, { upsert: true, insertId: 'ignored' })
    expect(plan.filter).toEqual({ _id: { $gte: 'a', $lte: 'a' }, projectId: 'p' })
    expect((plan.update as Record<string, Record<string, unknown>>[])[0]?.$set?._id).toEqual({
      $cond: [{ $eq: [{ $type: '$_id' }, 'missing'] }, 'a', '$_id'],
    })
    const byEq = toMongoUpdate({ _id: { $eq: 'b' } }, { $addToSet: { t: { value: 1, limit: 2 } } }, { upsert: true })
    expect(byEq.filter).toEqual({ _id: { $gte: 'b', $lte: 'b' } })
    // Without upsert, neither the filter nor $setOnInsert change.
    const plain = toMongoUpdate({ _id: 'a' }, { $addToSet: { t: { value: 1, limit: 2 } }, $setOnInsert: { s: 1 } })
    expect(plain.filter).toEqual({ _id: 'a' })
    expect(Object.keys((plain.update as Record<string, Record<string, unknown>>[])[0]?.$set ?? {})).toEqual(['t'])
  })
})
