/**
 * Checks shared by both metadata adapters, so a query one adapter rejects the other rejects too.
 * Field paths end up inside SQL text (expression indexes must match literally) and Mongo keys
 * (where `$` starts an operator), so they are held to a strict shape here, before either sees them.
 */
import { MetadataError } from '../../errors'
import type { Condition, FieldPath, Filter, FindOptions, Scalar, Update } from '../../ports/metadata'

const segment = '[A-Za-z_][A-Za-z0-9_]*'
const fieldPathPattern = new RegExp(`^${segment}(?:\\.${segment})*$`)
const collectionNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/
const conditionOperators = new Set(['$eq', '$ne', '$in', '$gt', '$gte', '$lt', '$lte', '$has', '$contains'])

export function invalid(message: string): MetadataError {
  return new MetadataError('invalid_query', message)
}

export function assertFieldPath(path: string): FieldPath {
  if (typeof path !== 'string' || path.length > 200 || !fieldPathPattern.test(path)) {
    throw invalid(`invalid field path ${JSON.stringify(path)}: use letters, digits, _ and dots`)
  }
  if (path.startsWith('_id.')) throw invalid(`invalid field path ${path}: _id has no fields`)
  return path
}

export function assertCollectionName(name: string): string {
  if (!collectionNamePattern.test(name) || name.toLowerCase().startsWith('sqlite_') || name.startsWith('system')) {
    throw invalid(`invalid collection name ${JSON.stringify(name)}`)
  }
  return name
}

export function isScalar(value: unknown): value is Scalar {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  return typeof value === 'number' && Number.isFinite(value)
}

function assertScalar(value: unknown, where: string): Scalar {
  if (!isScalar(value)) throw invalid(`${where}: expected a string, finite number, boolean or null`)
  return value
}

/** Operator conditions, or undefined for a bare scalar (equality). */
export function operatorsOf(condition: Condition): Record<string, unknown> | undefined {
  return condition !== null && typeof condition === 'object' ? (condition as Record<string, unknown>) : undefined
}

export function validateFilter(filter: Filter): void {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) throw invalid('filter must be an object')
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$or') {
      if (!Array.isArray(condition)) throw invalid('$or takes an array of filters')
      for (const branch of condition) validateFilter(branch as Filter)
      continue
    }
    assertFieldPath(key)
    // An undefined condition is no condition, so filters can be built from optional inputs.
    if (condition === undefined) continue
    if (Array.isArray(condition)) throw invalid(`${key}: a condition cannot be an array (use $in or $has)`)
    const ops = operatorsOf(condition as Condition)
    if (!ops) {
      assertScalar(condition, key)
      continue
    }
    const names = Object.keys(ops)
    if (names.length === 0) throw invalid(`${key}: empty condition`)
    for (const op of names) {
      if (!conditionOperators.has(op)) throw invalid(`${key}: unknown operator ${op}`)
      const value = ops[op]
      if (op === '$in') {
        if (!Array.isArray(value)) throw invalid(`${key}: $in takes an array`)
        value.forEach((item) => assertScalar(item, `${key}.$in`))
      } else if (op === '$contains') {
        if (typeof value !== 'string') throw invalid(`${key}: $contains takes a string`)
      } else {
        assertScalar(value, `${key}.${op}`)
      }
    }
  }
}

export function validateFindOptions(options: FindOptions): void {
  if (options.sort) {
    assertFieldPath(options.sort.field)
    if (options.sort.direction !== 'asc' && options.sort.direction !== 'desc') throw invalid('sort direction must be asc or desc')
  }
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 0)) {
    throw invalid('limit must be a non-negative integer')
  }
  if (options.after) {
    assertScalar(options.after.value, 'after.value')
    if (typeof options.after.id !== 'string') throw invalid('after.id must be a string')
  }
}

const updateOperators = ['$set', '$setOnInsert', '$inc', '$max', '$min', '$addToSet', '$unset'] as const

/** Every path an update touches, with Mongo's rule that no path may be touched twice or nest in another. */
export function validateUpdate(update: Update): void {
  if (update === null || typeof update !== 'object') throw invalid('update must be an object')
  const paths: string[] = []
  for (const key of Object.keys(update)) {
    if (!(updateOperators as readonly string[]).includes(key)) throw invalid(`unknown update operator ${key}`)
  }
  for (const op of updateOperators) {
    const part = update[op]
    if (part === undefined) continue
    if (op === '$unset') {
      if (!Array.isArray(part)) throw invalid('$unset takes an array of field paths')
      paths.push(...(part as string[]))
      continue
    }
    for (const [path, value] of Object.entries(part as Record<string, unknown>)) {
      paths.push(path)
      if (op === '$inc' && (typeof value !== 'number' || !Number.isFinite(value))) throw invalid(`$inc ${path}: not a finite number`)
      if (op === '$max' || op === '$min') assertScalar(value, `${op} ${path}`)
      if (op === '$addToSet') {
        const spec = value as { value: unknown; limit: unknown }
        assertScalar(spec?.value, `$addToSet ${path}`)
        if (!Number.isInteger(spec.limit) || (spec.limit as number) < 1) throw invalid(`$addToSet ${path}: limit must be a positive integer`)
      }
      if ((op === '$set' || op === '$setOnInsert') && value === undefined) throw invalid(`${op} ${path}: value is undefined`)
    }
  }
  const sorted = paths.map(assertFieldPath).sort()
  for (let i = 0; i < sorted.length; i++) {
    const path = sorted[i] as string
    if (path === '_id') throw invalid('updates cannot change _id')
    const next = sorted[i + 1]
    if (next !== undefined && (next === path || next.startsWith(`${path}.`))) {
      throw invalid(`update touches ${path} and ${next}: each path may appear once`)
    }
  }
}

/**
 * The fields an upsert copies from its filter into the new document: top-level equalities, as
 * MongoDB does (`{a: 1}` and `{a: {$eq: 1}}`; a one-branch `$or` counts as its branch).
 */
export function equalitySeed(filter: Filter): [FieldPath, Scalar][] {
  const seed: [FieldPath, Scalar][] = []
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$or') {
      const branches = condition as Filter[]
      if (branches.length === 1) seed.push(...equalitySeed(branches[0] as Filter))
      continue
    }
    if (condition === undefined) continue
    const ops = operatorsOf(condition as Condition)
    if (!ops) seed.push([key, condition as Scalar])
    else if ('$eq' in ops) seed.push([key, ops.$eq as Scalar])
  }
  return seed
}

/** The `_id` an upsert inserts: an `_id` equality in the filter wins over `insertId`. */
export function upsertId(filter: Filter, insertId: string | undefined): string {
  const fromFilter = equalitySeed(filter).find(([path]) => path === '_id')?.[1]
  const id = typeof fromFilter === 'string' ? fromFilter : insertId
  if (typeof id !== 'string' || id === '') throw invalid('upsert needs insertId or an _id equality in the filter')
  return id
}

const typeRank = (value: unknown): number => {
  if (value === null || value === undefined) return 1
  if (typeof value === 'number') return 2
  if (typeof value === 'string') return 3
  if (Array.isArray(value)) return 5
  if (typeof value === 'object') return 4
  if (typeof value === 'boolean') return 8
  return 9
}

/** BSON comparison order (null < numbers < strings < objects < arrays < booleans), as $max/$min use. */
export function compareValues(a: unknown, b: unknown): number {
  const rank = typeRank(a) - typeRank(b)
  if (rank !== 0) return rank
  if (typeof a === 'number' && typeof b === 'number') return a - b
  // MongoDB and SQLite (BINARY collation) both compare strings as UTF-8 bytes.
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a), Buffer.from(b))
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  return 0
}
