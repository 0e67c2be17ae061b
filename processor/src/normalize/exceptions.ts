import { Limits, dropUndefined, isRecord, readString } from './coerce'
import { keepEnds, normalizeStacktrace } from './frames'
import { readMechanism } from './mechanism'
import { representativeThread } from './threads'
import type { NormalizedException, NormalizedStacktrace, NormalizedThread } from './types'

export const maxExceptions = 25

// Relay's rule for an exception sent without a type: "TypeError: x is undefined" is split.
const typeAndValue = /^(\w+):(.*)$/

/** `exception` as `{ values: [...] }`, a bare list (legacy clients) or one exception object. */
function exceptionValues(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw
  if (!isRecord(raw)) return []
  if (Array.isArray(raw.values)) return raw.values
  if ('type' in raw || 'value' in raw || 'stacktrace' in raw) return [raw]
  return []
}

function normalizeException(raw: unknown): NormalizedException | undefined {
  if (!isRecord(raw)) return undefined
  let type = readString(raw.type, Limits.shortString * 2)
  let value = readString(raw.value, Limits.longString)
  const split = type === undefined && value !== undefined ? typeAndValue.exec(value) : null
  if (split) {
    type = split[1]
    value = split[2]?.trim() || undefined
  }
  const exception = dropUndefined({
    type,
    value,
    module: readString(raw.module, Limits.shortString * 2),
    mechanism: readMechanism(raw.mechanism),
    threadId: readString(raw.thread_id, Limits.shortString),
    ...normalizeStacktrace(raw.stacktrace),
  })
  if (!exception.type && !exception.value && exception.frames.length === 0) return undefined
  return exception
}

function withStack(exception: NormalizedException, stack: NormalizedStacktrace): NormalizedException {
  return dropUndefined({ ...exception, frames: stack.frames, framesOmitted: stack.framesOmitted, registers: stack.registers })
}

export interface ExceptionChain {
  exceptions: NormalizedException[]
  /** The top-level stack was moved into the only exception, which had none. */
  tookStacktrace: boolean
}

/**
 * The exception chain in Sentry's order (oldest first: the last entry is the outermost thrown
 * error). An exception that came without a stack gets one, as Sentry does: the only exception
 * takes the event's top-level `stacktrace`; else an exception takes its own thread's stack
 * (`thread_id`), and the outermost one the crashed thread's.
 */
export function readExceptions(raw: unknown, threads: readonly NormalizedThread[], stacktrace: NormalizedStacktrace | undefined): ExceptionChain {
  const { kept } = keepEnds(exceptionValues(raw), maxExceptions)
  const chain = kept.map(normalizeException).filter((e) => e !== undefined)
  const only = chain.length === 1 ? chain[0] : undefined
  if (only && only.frames.length === 0 && stacktrace && stacktrace.frames.length > 0) {
    return { exceptions: [withStack(only, stacktrace)], tookStacktrace: true }
  }
  const exceptions = chain.map((exception, index) => {
    if (exception.frames.length > 0) return exception
    const own = exception.threadId === undefined ? undefined : threads.find((t) => t.id === exception.threadId)
    const thread = own ?? (index === chain.length - 1 ? representativeThread(threads) : undefined)
    return thread && thread.frames.length > 0 ? withStack(exception, thread) : exception
  })
  return { exceptions, tookStacktrace: false }
}
