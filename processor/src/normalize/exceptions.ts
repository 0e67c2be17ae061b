import { Limits, dropUndefined, isRecord, readBoolean, readString } from './coerce'
import { keepEnds, normalizeStacktrace } from './frames'
import type { NormalizedException, NormalizedFrame, NormalizedMechanism } from './types'

export const maxExceptions = 25

/** `exception` as `{ values: [...] }`, a bare list (legacy clients) or one exception object. */
function exceptionValues(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw
  if (!isRecord(raw)) return []
  if (Array.isArray(raw.values)) return raw.values
  if ('type' in raw || 'value' in raw || 'stacktrace' in raw) return [raw]
  return []
}

function normalizeMechanism(raw: unknown): NormalizedMechanism | undefined {
  if (!isRecord(raw)) return undefined
  const mechanism = dropUndefined({
    type: readString(raw.type, Limits.shortString),
    handled: readBoolean(raw.handled),
    synthetic: readBoolean(raw.synthetic),
  })
  return Object.keys(mechanism).length > 0 ? mechanism : undefined
}

function normalizeException(raw: unknown): (NormalizedException & { threadId?: string }) | undefined {
  if (!isRecord(raw)) return undefined
  const { frames, omitted } = normalizeStacktrace(raw.stacktrace)
  const exception = dropUndefined({
    type: readString(raw.type, Limits.shortString * 2),
    value: readString(raw.value, Limits.longString),
    module: readString(raw.module, Limits.shortString * 2),
    mechanism: normalizeMechanism(raw.mechanism),
    frames,
    framesOmitted: omitted > 0 ? omitted : undefined,
    threadId: readString(raw.thread_id, Limits.shortString),
  })
  if (!exception.type && !exception.value && frames.length === 0) return undefined
  return exception
}

interface ThreadStack {
  id?: string
  crashed: boolean
  current: boolean
  frames: NormalizedFrame[]
  omitted: number
}

function threadStacks(raw: unknown): ThreadStack[] {
  const values = Array.isArray(raw) ? raw : isRecord(raw) && Array.isArray(raw.values) ? raw.values : []
  const stacks: ThreadStack[] = []
  for (const thread of values.slice(0, Limits.arrayItems)) {
    if (!isRecord(thread)) continue
    const { frames, omitted } = normalizeStacktrace(thread.stacktrace)
    if (frames.length === 0) continue
    stacks.push({
      id: readString(thread.id, Limits.shortString),
      crashed: thread.crashed === true,
      current: thread.current === true,
      frames,
      omitted,
    })
  }
  return stacks
}

/** The thread whose stack stands in for a missing exception stack: its own, else the crashed one. */
function pickThread(stacks: ThreadStack[], threadId: string | undefined, isOutermost: boolean): ThreadStack | undefined {
  if (threadId !== undefined) {
    const own = stacks.find((stack) => stack.id === threadId)
    if (own) return own
  }
  if (!isOutermost) return undefined
  return stacks.find((s) => s.crashed) ?? stacks.find((s) => s.current) ?? (stacks.length === 1 ? stacks[0] : undefined)
}

/**
 * The exception chain in Sentry's order (oldest first: the last entry is the outermost thrown
 * error). Threads are read only to fill an exception that came without its own stack.
 */
export function readExceptions(exception: unknown, threads: unknown): NormalizedException[] {
  const { kept } = keepEnds(exceptionValues(exception), maxExceptions)
  const chain = kept.map(normalizeException).filter((e) => e !== undefined)
  if (!chain.some((e) => e.frames.length === 0)) return chain.map(stripThreadId)
  const stacks = threadStacks(threads)
  return chain.map((entry, index) => {
    if (entry.frames.length > 0) return stripThreadId(entry)
    const thread = pickThread(stacks, entry.threadId, index === chain.length - 1)
    if (!thread) return stripThreadId(entry)
    return dropUndefined({
      ...stripThreadId(entry),
      frames: thread.frames,
      framesOmitted: thread.omitted > 0 ? thread.omitted : undefined,
    })
  })
}

function stripThreadId(entry: NormalizedException & { threadId?: string }): NormalizedException {
  const { threadId: _threadId, ...rest } = entry
  return rest
}
