/**
 * Applies an `Update` to a plain document in memory, with MongoDB's semantics: the SQLite adapter
 * runs it inside a write transaction, so read-modify-write is atomic there.
 */
import type { Document, Update } from '../../ports/metadata'
import { compareValues, invalid } from './validation'

type Obj = Record<string, unknown>

const isObject = (value: unknown): value is Obj => value !== null && typeof value === 'object' && !Array.isArray(value)

export function getPath(doc: Obj, path: string): unknown {
  let current: unknown = doc
  for (const key of path.split('.')) {
    if (!isObject(current)) return undefined
    current = current[key]
  }
  return current
}

function parentOf(doc: Obj, path: string, create: boolean): [Obj, string] | undefined {
  const keys = path.split('.')
  const last = keys.pop() as string
  let current = doc
  for (const key of keys) {
    const next = current[key]
    if (next === undefined) {
      if (!create) return undefined
      current[key] = {}
    } else if (!isObject(next)) {
      throw invalid(`cannot create field ${path}: ${key} is not an object`)
    }
    current = current[key] as Obj
  }
  return [current, last]
}

export function setPath(doc: Obj, path: string, value: unknown): void {
  const [parent, key] = parentOf(doc, path, true) as [Obj, string]
  parent[key] = structuredClone(value)
}

function unsetPath(doc: Obj, path: string): void {
  const found = parentOf(doc, path, false)
  if (found) delete found[0][found[1]]
}

/** Returns a new document; `doc` is left as it was. */
export function applyUpdate<T extends Document>(doc: T, update: Update, isInsert: boolean): T {
  const next = structuredClone(doc) as unknown as Obj
  for (const [path, value] of Object.entries(update.$set ?? {})) setPath(next, path, value)
  if (isInsert) for (const [path, value] of Object.entries(update.$setOnInsert ?? {})) setPath(next, path, value)
  for (const [path, by] of Object.entries(update.$inc ?? {})) {
    const current = getPath(next, path)
    if (current !== undefined && typeof current !== 'number') throw invalid(`cannot apply $inc to non-numeric ${path}`)
    setPath(next, path, (current ?? 0) + by)
  }
  for (const [path, value] of Object.entries(update.$max ?? {})) {
    const current = getPath(next, path)
    if (current === undefined || compareValues(value, current) > 0) setPath(next, path, value)
  }
  for (const [path, value] of Object.entries(update.$min ?? {})) {
    const current = getPath(next, path)
    if (current === undefined || compareValues(value, current) < 0) setPath(next, path, value)
  }
  for (const [path, { value, limit }] of Object.entries(update.$addToSet ?? {})) {
    // Null counts as an empty set, as the Mongo adapter's `$ifNull` does.
    const current = getPath(next, path) ?? []
    if (!Array.isArray(current)) throw invalid(`cannot apply $addToSet to non-array ${path}`)
    if (!current.includes(value)) setPath(next, path, [...current, value].slice(-limit))
  }
  for (const path of update.$unset ?? []) unsetPath(next, path)
  return next as unknown as T
}
