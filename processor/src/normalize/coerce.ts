/**
 * Defensive readers for untrusted JSON: each returns a value of the wanted type or undefined,
 * never throws, and bounds sizes so one hostile payload cannot blow up memory downstream.
 */

export type JsonRecord = Record<string, unknown>

export const Limits = {
  shortString: 200,
  string: 1024,
  longString: 8192,
  depth: 8,
  arrayItems: 100,
  objectKeys: 200,
} as const

/** Removes keys whose value is undefined, so stored documents carry no empty fields. */
export function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key]
  }
  return value
}

/** Assigns as an own property, so a `__proto__` key from JSON stays data, not a prototype. */
export function setOwn(target: JsonRecord, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Cuts to `max` UTF-16 units with an ellipsis, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  let end = Math.max(0, max - 1)
  const code = text.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end -= 1
  return `${text.slice(0, end)}…`
}

/** A non-empty string (numbers and booleans are accepted as their text), truncated. */
export function readString(value: unknown, max: number = Limits.string): string | undefined {
  let text: string | undefined
  if (typeof value === 'string') text = value
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value)
  else if (typeof value === 'boolean') text = String(value)
  if (text === undefined || text.length === 0) return undefined
  return truncate(text, max)
}

/** A finite number; numeric strings are accepted because some SDKs send them. */
export function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value)
    return Number.isFinite(parsed) ? parsed : undefined
  }
  return undefined
}

/** A non-negative integer such as a line or column number. */
export function readCount(value: unknown): number | undefined {
  const n = readNumber(value)
  if (n === undefined || n < 0) return undefined
  return Math.min(Math.trunc(n), Number.MAX_SAFE_INTEGER)
}

export function readBoolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined
}

/** Strings of an array, each truncated, at most `maxItems`; undefined if none. */
export function readStringArray(
  value: unknown,
  maxItems: number = Limits.arrayItems,
  maxLength: number = Limits.string,
): string[] | undefined {
  if (!Array.isArray(value)) return undefined
  const out: string[] = []
  for (const item of value.slice(0, maxItems)) {
    const text = typeof item === 'string' ? truncate(item, maxLength) : readString(item, maxLength)
    if (text !== undefined) out.push(text)
  }
  return out.length > 0 ? out : undefined
}

/**
 * A JSON-safe copy bounded in depth, breadth and string length. Functions, symbols, bigints and
 * non-finite numbers are dropped; what is cut deeper than `depth` becomes a marker string.
 */
export function sanitizeJson(value: unknown, depth: number = Limits.depth, seen = new WeakSet<object>()): unknown {
  if (value === null) return null
  if (typeof value === 'string') return truncate(value, Limits.string)
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'boolean') return value
  if (typeof value !== 'object') return undefined
  if (seen.has(value)) return '[Circular]'
  if (depth <= 0) return Array.isArray(value) ? '[Array]' : '[Object]'
  seen.add(value)
  try {
    if (Array.isArray(value)) {
      return value.slice(0, Limits.arrayItems).map((item) => sanitizeJson(item, depth - 1, seen) ?? null)
    }
    const out: JsonRecord = {}
    let keys = 0
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue
      if (keys++ >= Limits.objectKeys) break
      const item = sanitizeJson((value as JsonRecord)[key], depth - 1, seen)
      if (item !== undefined) setOwn(out, truncate(key, Limits.shortString), item)
    }
    return out
  } finally {
    seen.delete(value)
  }
}

/** A sanitized record, or undefined when the value is not an object. */
export function readRecord(value: unknown, depth: number = Limits.depth): JsonRecord | undefined {
  if (!isRecord(value)) return undefined
  return sanitizeJson(value, depth) as JsonRecord
}

/**
 * Keeps top-level keys in order while the serialized total stays under `maxBytes`; a value too
 * large for what is left is replaced by a note of its size, so the key stays visible.
 */
export function capRecordSize(record: JsonRecord, maxBytes: number): JsonRecord {
  const out: JsonRecord = {}
  let used = 2
  for (const [key, value] of Object.entries(record)) {
    const size = Buffer.byteLength(JSON.stringify(value) ?? 'null') + Buffer.byteLength(key) + 4
    if (used + size <= maxBytes) {
      setOwn(out, key, value)
      used += size
      continue
    }
    const note = `[truncated: ${size} bytes]`
    const noteSize = note.length + Buffer.byteLength(key) + 6
    if (used + noteSize > maxBytes) break
    setOwn(out, key, note)
    used += noteSize
  }
  return out
}
