/**
 * Filter, sort and keyset translation to parameterized SQLite over `(id, doc)` rows.
 *
 * Field paths are validated (validation.ts) before they are written into SQL: expression indexes
 * only match a literal `json_extract(doc, '$.path')`, so the path cannot be a bound parameter.
 * Every value is bound.
 *
 * json_extract turns JSON true/false into 1/0, so comparisons carry a `json_type` guard where a
 * boolean and a number could otherwise be confused; range operators compare only values of the
 * bound value's type, as MongoDB's type bracketing does.
 */
import type { Condition, Filter, FindOptions, Scalar, Sort } from '../../ports/metadata'
import { assertFieldPath, operatorsOf } from './validation'

export type SqlValue = string | number | null
export interface SqlPart {
  sql: string
  params: SqlValue[]
}

const bindable = (value: Scalar): SqlValue => (typeof value === 'boolean' ? Number(value) : value)

/** The SQL expression of a field's value and of its JSON type. */
export function fieldExpr(path: string): { value: string; type: string } {
  assertFieldPath(path)
  if (path === '_id') return { value: 'id', type: `'text'` }
  return { value: `json_extract(doc, '$.${path}')`, type: `json_type(doc, '$.${path}')` }
}

const typeGuard = (type: string, value: Scalar): string => {
  if (typeof value === 'boolean') return `${type} IN ('true', 'false')`
  if (typeof value === 'number') return `${type} IN ('integer', 'real')`
  return `${type} = 'text'`
}

function equals(value: string, type: string, v: Scalar, params: SqlValue[]): string {
  if (v === null) return `${value} IS NULL`
  params.push(bindable(v))
  if (typeof v === 'boolean') return `(${value} = ? AND ${type} = '${v ? 'true' : 'false'}')`
  // Only 0 and 1 can be mistaken for false and true.
  if (typeof v === 'number' && (v === 0 || v === 1)) return `(${value} = ? AND ${type} IN ('integer', 'real'))`
  return `${value} = ?`
}

const rangeOps = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' } as const

function range(value: string, type: string, op: keyof typeof rangeOps, v: Scalar, params: SqlValue[]): string {
  // MongoDB: {$gte: null} and {$lte: null} match null or missing; {$gt: null} and {$lt: null} nothing.
  if (v === null) return op === '$gte' || op === '$lte' ? `${value} IS NULL` : '0'
  params.push(bindable(v))
  return `(${value} ${rangeOps[op]} ? AND ${typeGuard(type, v)})`
}

function inList(value: string, type: string, values: Scalar[], params: SqlValue[]): string {
  const plain = values.filter((v) => typeof v === 'string' || (typeof v === 'number' && v !== 0 && v !== 1))
  const parts: string[] = []
  // One bound JSON array keeps the SQL text (and its cached statement) the same for any list length.
  if (plain.length > 0) {
    parts.push(`${value} IN (SELECT value FROM json_each(?))`)
    params.push(JSON.stringify(plain))
  }
  const bound = new Set(plain)
  for (const v of values) if (!bound.has(v)) parts.push(equals(value, type, v, params))
  return parts.length === 0 ? '0' : parts.length === 1 ? (parts[0] as string) : `(${parts.join(' OR ')})`
}

function conditionSql(path: string, condition: Condition, params: SqlValue[]): string {
  const { value, type } = fieldExpr(path)
  const isId = path === '_id'
  const ops = operatorsOf(condition)
  if (!ops) return isId && typeof condition !== 'string' ? '0' : equals(value, type, condition as Scalar, params)
  const parts: string[] = []
  for (const [op, operand] of Object.entries(ops)) {
    switch (op) {
      case '$eq':
        parts.push(isId && typeof operand !== 'string' ? '0' : equals(value, type, operand as Scalar, params))
        break
      case '$ne':
        parts.push(isId && typeof operand !== 'string' ? '1' : `NOT IFNULL(${equals(value, type, operand as Scalar, params)}, 0)`)
        break
      case '$in': {
        const list = operand as Scalar[]
        parts.push(inList(value, type, isId ? list.filter((v) => typeof v === 'string') : list, params))
        break
      }
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        parts.push(isId && typeof operand !== 'string' ? '0' : range(value, type, op, operand as Scalar, params))
        break
      case '$has': {
        if (isId) {
          parts.push('0')
          break
        }
        const inner: SqlValue[] = []
        const match = equals('value', 'type', operand as Scalar, inner)
        parts.push(`(${type} = 'array' AND EXISTS (SELECT 1 FROM json_each(doc, '$.${path}') WHERE ${match}))`)
        params.push(...inner)
        break
      }
      case '$contains':
        parts.push(`(${type} = 'text' AND fl_icontains(${value}, ?))`)
        params.push(operand as string)
        break
    }
  }
  return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' AND ')})`
}

/** A WHERE clause (without the keyword) for a validated filter. */
export function filterSql(filter: Filter, params: SqlValue[] = []): SqlPart {
  const parts: string[] = []
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$or') {
      const branches = (condition as Filter[]).map((branch) => filterSql(branch, params).sql)
      parts.push(branches.length === 0 ? '0' : `(${branches.join(' OR ')})`)
    } else if (condition !== undefined) {
      parts.push(conditionSql(key, condition as Condition, params))
    }
  }
  return { sql: parts.length === 0 ? '1' : parts.join(' AND '), params }
}

/** Without a sort, documents come in `_id` order, so pagination always has a total order. */
export function effectiveSort(options: FindOptions): Sort {
  return options.sort ?? { field: '_id', direction: 'asc' }
}

/**
 * Null and missing sort values are the smallest: first ascending, last descending (SQLite's and
 * MongoDB's native order). Ties break on `id` in the sort direction.
 */
export function orderSql(sort: Sort): string {
  const dir = sort.direction === 'asc' ? 'ASC' : 'DESC'
  if (sort.field === '_id') return `ORDER BY id ${dir}`
  return `ORDER BY ${fieldExpr(sort.field).value} ${dir}, id ${dir}`
}

/**
 * The rows strictly after `after` in the sort order, as segments read one after another until the
 * limit is reached: each is a plain range on the `(field, id)` index, where one disjunction
 * (`... OR field IS NULL`) would stop SQLite from seeking it.
 */
export function keysetSegments(sort: Sort, after: { value: Scalar; id: string } | undefined): SqlPart[] {
  if (!after) return [{ sql: '1', params: [] }]
  const asc = sort.direction === 'asc'
  if (sort.field === '_id') return [{ sql: asc ? 'id > ?' : 'id < ?', params: [after.id] }]
  const { value } = fieldExpr(sort.field)
  if (after.value === null) {
    const nulls = { sql: `${value} IS NULL AND id ${asc ? '>' : '<'} ?`, params: [after.id] }
    return asc ? [nulls, { sql: `${value} IS NOT NULL`, params: [] }] : [nulls]
  }
  // SQLite seeks an expression index on a plain bound but not on a row value; the row value
  // then settles the ties.
  const params = [bindable(after.value), bindable(after.value), after.id]
  if (asc) return [{ sql: `${value} >= ? AND (${value}, id) > (?, ?)`, params }]
  return [
    { sql: `${value} <= ? AND (${value}, id) < (?, ?)`, params },
    { sql: `${value} IS NULL`, params: [] },
  ]
}
