/**
 * Translation of the metadata port's filters, sorts, keyset positions and updates into MongoDB
 * query and update documents. Pure functions, so they are tested without a server.
 *
 * Semantics follow the SQLite adapter (the contract pins both):
 * - `$has` is `$elemMatch: {$eq}`: only arrays match, as SQLite's json_each over an array type.
 * - `$contains` is an escaped, case-insensitive `$regex`.
 * - Null and missing sort values are the smallest (MongoDB's own order); ties break on `_id`.
 * - `$addToSet` with a limit has no classic operator form (`$addToSet` cannot slice, `$push` cannot
 *   skip a present value), so an update holding one becomes an aggregation-pipeline update: still a
 *   single atomic write. Pipelines have no `$setOnInsert`; an insert is recognised by `_id` being
 *   missing, because MongoDB generates it only after the update ran (upsert_stage.cpp). To keep
 *   that true, an `_id` equality in the filter is written as a one-value range, which MongoDB does
 *   not copy into the new document, and the pipeline sets `_id` itself on insert.
 */
import type { Condition, Filter, Scalar, Sort, Update } from '../../ports/metadata'
import { equalitySeed, operatorsOf, upsertId, validateFilter, validateUpdate } from './validation'

export type MongoQuery = Record<string, unknown>
export type MongoUpdate = MongoQuery | MongoQuery[]

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}

function conditionToMongo(condition: Condition): unknown {
  const ops = operatorsOf(condition)
  if (!ops) return condition
  const out: MongoQuery = {}
  for (const [op, operand] of Object.entries(ops)) {
    if (op === '$has') out.$elemMatch = { $eq: operand }
    else if (op === '$contains') {
      out.$regex = escapeRegex(operand as string)
      out.$options = 'i'
    } else out[op] = operand
  }
  return out
}

/** A MongoDB filter for a port filter; validates it first (`invalid_query`). */
export function toMongoFilter(filter: Filter): MongoQuery {
  validateFilter(filter)
  return translateFilter(filter)
}

function translateFilter(filter: Filter): MongoQuery {
  const out: MongoQuery = {}
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$or') {
      const branches = (condition as Filter[]).map(translateFilter)
      // MongoDB rejects an empty $or; the port defines it as matching nothing.
      if (branches.length === 0) out.$expr = false
      else out.$or = branches
    } else if (condition !== undefined) {
      out[key] = conditionToMongo(condition as Condition)
    }
  }
  return out
}

export function toMongoSort(sort: Sort | undefined): Record<string, 1 | -1> {
  const dir = sort?.direction === 'desc' ? -1 : 1
  if (!sort || sort.field === '_id') return { _id: dir }
  return { [sort.field]: dir, _id: dir }
}

/** Documents strictly after `after` in `toMongoSort(sort)` order. */
export function toMongoKeyset(sort: Sort | undefined, after: { value: Scalar; id: string }): MongoQuery {
  const asc = (sort?.direction ?? 'asc') === 'asc'
  const idAfter = { _id: { [asc ? '$gt' : '$lt']: after.id } }
  if (!sort || sort.field === '_id') return idAfter
  const field = sort.field
  if (after.value === null) {
    return asc ? { $or: [{ [field]: null, ...idAfter }, { [field]: { $ne: null } }] } : { [field]: null, ...idAfter }
  }
  const beyond = { [field]: { [asc ? '$gt' : '$lt']: after.value } }
  const tie = { [field]: after.value, ...idAfter }
  // Descending, the null and missing values come last, after every value.
  return { $or: asc ? [beyond, tie] : [beyond, tie, { [field]: null }] }
}

export function toMongoFind(filter: Filter, options: { sort?: Sort; after?: { value: Scalar; id: string } }): MongoQuery {
  const query = toMongoFilter(filter)
  return options.after ? { $and: [query, toMongoKeyset(options.sort, options.after)] } : query
}

export interface MongoUpdatePlan {
  filter: MongoQuery
  update: MongoUpdate
  /** Whether the update is an aggregation pipeline. */
  pipeline: boolean
}

const hasIdEquality = (filter: Filter): boolean => equalitySeed(filter).some(([path]) => path === '_id')

/**
 * The filter and update document for `findOneAndUpdate`/`updateMany`. With `upsert`, the inserted
 * `_id` is the filter's `_id` equality or else `insertId`, as in the SQLite adapter.
 */
export function toMongoUpdate(filter: Filter, update: Update, options: { upsert?: boolean; insertId?: string } = {}): MongoUpdatePlan {
  validateUpdate(update)
  const query = toMongoFilter(filter)
  const insertId = options.upsert ? upsertId(filter, options.insertId) : undefined
  if (update.$addToSet && Object.keys(update.$addToSet).length > 0) {
    return { filter: insertId === undefined ? query : withoutIdSeed(query), update: pipelineUpdate(update, insertId), pipeline: true }
  }
  return { filter: query, update: classicUpdate(update, insertId !== undefined && !hasIdEquality(filter) ? insertId : undefined), pipeline: false }
}

function classicUpdate(update: Update, insertId: string | undefined): MongoQuery {
  const out: MongoQuery = {}
  for (const op of ['$set', '$setOnInsert', '$inc', '$max', '$min'] as const) {
    const part = update[op]
    if (part && Object.keys(part).length > 0) out[op] = { ...part }
  }
  if (update.$unset && update.$unset.length > 0) out.$unset = Object.fromEntries(update.$unset.map((path) => [path, '']))
  if (insertId !== undefined) out.$setOnInsert = { ...((out.$setOnInsert as MongoQuery | undefined) ?? {}), _id: insertId }
  // An empty operand is a no-op since MongoDB 5.0; an update with no operator at all is an error.
  return Object.keys(out).length === 0 ? { $set: {} } : out
}

/** `{_id: x}` as `{_id: {$gte: x, $lte: x}}`: same match, same index, but no `_id` in an upsert's seed. */
function withoutIdSeed(query: MongoQuery): MongoQuery {
  const id = query._id
  if (id === undefined) return query
  const ops = id !== null && typeof id === 'object' ? { ...(id as MongoQuery) } : { $eq: id }
  if (!('$eq' in ops)) return query
  const value = ops.$eq
  delete ops.$eq
  return { ...query, _id: { ...ops, $gte: value, $lte: value } }
}

const literal = (value: unknown): MongoQuery => ({ $literal: value })
const isMissing = (ref: string): MongoQuery => ({ $eq: [{ $type: ref }, 'missing'] })

function pipelineUpdate(update: Update, insertId: string | undefined): MongoQuery[] {
  // Every expression of one $set stage reads the document as it came in, so `_id` is still
  // missing for all of them on an insert.
  const isInsert = insertId === undefined ? false : isMissing('$_id')
  const set: MongoQuery = {}
  if (insertId !== undefined) set._id = { $cond: [isInsert, insertId, '$_id'] }
  for (const [path, value] of Object.entries(update.$set ?? {})) set[path] = literal(value)
  if (insertId !== undefined) {
    for (const [path, value] of Object.entries(update.$setOnInsert ?? {})) set[path] = { $cond: [isInsert, literal(value), `$${path}`] }
  }
  for (const [path, by] of Object.entries(update.$inc ?? {})) {
    // Null becomes a string so that $add fails on it, as the classic $inc does on non-numbers.
    const current = { $cond: [isMissing(`$${path}`), 0, { $ifNull: [`$${path}`, 'null'] }] }
    set[path] = { $add: [current, by] }
  }
  for (const [op, cmp] of [['$max', '$gt'], ['$min', '$lt']] as const) {
    for (const [path, value] of Object.entries(update[op] ?? {})) {
      const replace = { $or: [isMissing(`$${path}`), { [cmp]: [literal(value), `$${path}`] }] }
      set[path] = { $cond: [replace, literal(value), `$${path}`] }
    }
  }
  for (const [path, { value, limit }] of Object.entries(update.$addToSet ?? {})) {
    set[path] = {
      $let: {
        vars: { current: { $ifNull: [`$${path}`, []] } },
        in: {
          $cond: [{ $in: [literal(value), '$$current'] }, '$$current', { $slice: [{ $concatArrays: ['$$current', [literal(value)]] }, -limit] }],
        },
      },
    }
  }
  const stages: MongoQuery[] = [{ $set: set }]
  if (update.$unset && update.$unset.length > 0) stages.push({ $unset: [...update.$unset] })
  return stages
}
