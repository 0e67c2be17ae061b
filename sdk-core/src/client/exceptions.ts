import type { Event, EventHint, Exception, Mechanism, StackFrame } from '../types'
import { isError, truncate } from '../utils'

export type StackLineParser = (line: string) => StackFrame | undefined
/** Turns a platform stack string into frames, oldest call first (the crashing frame last). */
export type StackParser = (stack: string) => StackFrame[]

const maxFrames = 50
const maxLineLength = 1024
const maxCachedLines = 2000

/**
 * Parsing a stack line is regex work, and the same lines come back on every error from the same
 * code path: parsed frames are kept per line (bounded, oldest out first) and copied on the way out,
 * since processors later add context lines to the frame objects. Lines that are not frames (the
 * "Type: message" head, which changes with every message) are never kept.
 */
export function createStackParser(...lineParsers: StackLineParser[]): StackParser {
  const cache = new Map<string, StackFrame>()
  const parseLine = (line: string): StackFrame | undefined => {
    // Webpack and some engines prefix "Error: message" lines; only frames are wanted.
    const cleaned = line.includes('(error: ') ? line.replace(/\(error: (.*)\)/, '$1') : line
    if (cleaned.includes('Error: ') && !/^\s*at /.test(cleaned)) return undefined
    for (const parse of lineParsers) {
      const frame = parse(cleaned)
      if (frame) return frame
    }
    return undefined
  }
  return (stack) => {
    const frames: StackFrame[] = []
    for (const line of stack.split('\n')) {
      if (line.length > maxLineLength) continue
      let frame = cache.get(line)
      if (!frame) {
        frame = parseLine(line)
        if (!frame) continue
        if (cache.size >= maxCachedLines) cache.delete(cache.keys().next().value as string)
        cache.set(line, frame)
      }
      // Object.assign, not spread: V8 gives spread clones maps that make the later additions of
      // context lines ~10x slower (measured in sdk-node/bench/capture.ts).
      frames.push(Object.assign({}, frame))
      if (frames.length >= maxFrames) break
    }
    return frames.reverse()
  }
}

export const maxLinkedErrors = 5

function errorName(error: Error): string {
  const ctorName = (error.constructor as { name?: string } | undefined)?.name
  return error.name && error.name !== 'Error' ? error.name : ctorName && ctorName !== 'Object' ? ctorName : 'Error'
}

export function exceptionFromError(parser: StackParser, error: Error, maxValueLength = 1024): Exception {
  const exception: Exception = { type: errorName(error), value: truncate(String(error.message ?? ''), maxValueLength) }
  let frames: StackFrame[] = []
  try {
    if (typeof error.stack === 'string') frames = parser(error.stack)
  } catch {
    frames = []
  }
  if (frames.length) exception.stacktrace = { frames }
  return exception
}

/**
 * The error, its `cause` chain and `AggregateError.errors`, in Sentry's order: causes before the
 * error they caused, so the last value is the outermost (the one that was thrown at the caller).
 * `exception_id`/`parent_id` keep the tree readable for exception groups.
 */
export function exceptionsFromError(parser: StackParser, error: Error, mechanism: Mechanism, maxValueLength = 1024): Exception[] {
  const seen = new Set<unknown>([error])
  const main = exceptionFromError(parser, error, maxValueLength)
  const isGroup = Array.isArray((error as { errors?: unknown }).errors)
  main.mechanism = { ...mechanism, ...(isGroup && { is_exception_group: true }), exception_id: 0 }
  let values: Exception[] = [main]
  let nextId = 1

  const visit = (parent: Error, parentId: number): void => {
    const children: [string, unknown][] = []
    if (Array.isArray((parent as { errors?: unknown }).errors)) {
      ;((parent as unknown as { errors: unknown[] }).errors).forEach((child, i) => children.push([`errors[${i}]`, child]))
    }
    if (parent.cause !== undefined) children.push(['cause', parent.cause])
    for (const [source, child] of children) {
      if (nextId >= maxLinkedErrors + 1 || !isError(child) || seen.has(child)) continue
      seen.add(child)
      const exception = exceptionFromError(parser, child, maxValueLength)
      const id = nextId++
      const childIsGroup = Array.isArray((child as { errors?: unknown }).errors)
      exception.mechanism = { type: 'chained', source, exception_id: id, parent_id: parentId, ...(childIsGroup && { is_exception_group: true }) }
      values = [exception, ...values]
      visit(child, id)
    }
  }
  visit(error, 0)
  return values
}

function describeObject(value: object): string {
  const keys = Object.keys(value).sort().slice(0, 10)
  const name = (value.constructor as { name?: string } | undefined)?.name
  return `${name && name !== 'Object' ? name : 'Object'} captured as exception with keys: ${keys.join(', ') || '[object has no keys]'}`
}

/** Builds an error event from anything thrown: Errors, strings, plain objects. */
export function eventFromUnknown(parser: StackParser, exception: unknown, hint: EventHint = {}, maxValueLength = 1024): Event {
  const mechanism: Mechanism = hint.mechanism ?? { type: 'generic', handled: true }
  if (isError(exception)) {
    return { level: 'error', exception: { values: exceptionsFromError(parser, exception, mechanism, maxValueLength) } }
  }
  const isObject = exception !== null && typeof exception === 'object'
  const value: Exception = {
    type: isObject ? 'Error' : 'Error',
    value: truncate(isObject ? describeObject(exception) : String(exception), maxValueLength),
    mechanism: { ...mechanism, synthetic: true },
  }
  if (hint.syntheticException?.stack) {
    const frames = parser(hint.syntheticException.stack)
    if (frames.length) value.stacktrace = { frames }
  }
  const event: Event = { level: 'error', exception: { values: [value] } }
  if (isObject) event.extra = { __serialized__: exception as Record<string, unknown> }
  return event
}
