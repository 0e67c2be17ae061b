import { Limits, capRecordSize, dropUndefined, isRecord, readBoolean, readRecord, readString } from './coerce'
import { normalizeStacktrace } from './frames'
import type { NormalizedThread } from './types'

/** Threads kept per event, in the SDK's order: enough for any app's thread dump that fits an event. */
const maxThreads = 200
const maxLockBytes = 4096

function normalizeThread(raw: unknown): NormalizedThread | undefined {
  if (!isRecord(raw)) return undefined
  const locks = readRecord(raw.held_locks, 3)
  const thread = dropUndefined({
    id: readString(raw.id, Limits.shortString),
    name: readString(raw.name, Limits.shortString),
    crashed: readBoolean(raw.crashed),
    current: readBoolean(raw.current),
    main: readBoolean(raw.main),
    state: readString(raw.state, 64),
    heldLocks: locks && Object.keys(locks).length > 0 ? capRecordSize(locks, maxLockBytes) : undefined,
    ...normalizeStacktrace(raw.stacktrace),
  })
  return thread.frames.length > 0 || Object.keys(thread).length > 1 ? thread : undefined
}

/** Sentry's `threads`: `{ values: [...] }` or a bare list. */
export function readThreads(raw: unknown): NormalizedThread[] {
  const values = Array.isArray(raw) ? raw : isRecord(raw) && Array.isArray(raw.values) ? raw.values : []
  const threads: NormalizedThread[] = []
  for (const item of values.slice(0, maxThreads)) {
    const thread = normalizeThread(item)
    if (thread) threads.push(thread)
  }
  return threads
}

/**
 * The thread that stands for the whole event, as Sentry's `threads:v1` grouping picks it: the
 * crashed thread when exactly one crashed, else the current one when exactly one is, else the
 * only thread.
 */
export function representativeThread(threads: readonly NormalizedThread[]): NormalizedThread | undefined {
  for (const candidates of [threads.filter((t) => t.crashed), threads.filter((t) => t.current), threads]) {
    if (candidates.length === 1) return candidates[0]
  }
  return undefined
}
