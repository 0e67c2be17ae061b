import { readFile, stat } from 'node:fs/promises'
import type { Event, StackFrame } from '@faultline/sdk-core'

const maxFileBytes = 2 * 1024 * 1024
const maxLineLength = 200

/** Least-recently-used map: Map keeps insertion order, so re-inserting on read moves a key to the end. */
export class LruCache<K, V> {
  #map = new Map<K, V>()
  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.#map.get(key)
    if (value === undefined) return undefined
    this.#map.delete(key)
    this.#map.set(key, value)
    return value
  }

  has(key: K): boolean {
    return this.#map.has(key)
  }

  set(key: K, value: V): void {
    this.#map.delete(key)
    this.#map.set(key, value)
    while (this.#map.size > this.capacity) this.#map.delete(this.#map.keys().next().value as K)
  }

  get size(): number {
    return this.#map.size
  }
}

/** Long (minified) lines are cut to a window around the column, as Sentry does. */
function clip(line: string, colno: number | undefined): string {
  if (line.length <= maxLineLength) return line
  const start = Math.max(0, Math.min((colno ?? 0) - maxLineLength / 2, line.length - maxLineLength))
  return `${start > 0 ? '…' : ''}${line.slice(start, start + maxLineLength)}${start + maxLineLength < line.length ? '…' : ''}`
}

function readable(frame: StackFrame): string | undefined {
  const path = frame.abs_path ?? frame.filename
  if (!path || frame.lineno === undefined) return undefined
  if (path.startsWith('node:') || path === '<anonymous>' || path === 'native') return undefined
  return path
}

export interface ContextLines {
  /**
   * Event processor: fills pre_context / context_line / post_context of every readable frame.
   * Synchronous once every file of the event is cached (the usual case after the first error from a
   * code path), so a repeated error costs no promise round trips.
   */
  process(event: Event): Event | Promise<Event>
}

interface FrameContext {
  pre: string[]
  line: string
  post: string[]
}

interface SourceFile {
  /** `null`: unreadable, not retried. */
  lines: string[] | null
  /** Clipped context per frame position (lineno and colno packed into one number). */
  contexts: Map<number, FrameContext | null>
}

/**
 * Source lines around each frame, read from disk once per file and kept in an LRU (files that
 * could not be read are cached as unreadable so a missing file is not retried on every event).
 * The clipped lines of each frame position are kept with their file: the same frames recur in every
 * error from the same code path, so a repeated error costs a few map lookups per frame.
 */
export function createContextLines(options: { lines?: number; cacheSize?: number } = {}): ContextLines {
  const around = options.lines ?? 5
  const files = new LruCache<string, SourceFile>(options.cacheSize ?? 100)

  const load = async (path: string): Promise<void> => {
    let lines: string[] | null = null
    try {
      const info = await stat(path)
      if (info.isFile() && info.size <= maxFileBytes) lines = (await readFile(path, 'utf8')).split(/\r?\n/)
    } catch {
      lines = null
    }
    files.set(path, { lines, contexts: new Map() })
  }

  const contextOf = (file: SourceFile, lineno: number, colno: number | undefined): FrameContext | null => {
    const key = lineno * 0x100000 + (colno ?? 0)
    const cached = file.contexts.get(key)
    if (cached !== undefined) return cached
    const { lines } = file
    const index = lineno - 1
    const context =
      lines && index >= 0 && index < lines.length
        ? {
            pre: lines.slice(Math.max(0, index - around), index).map((l) => clip(l, 0)),
            line: clip(lines[index]!, colno),
            post: lines.slice(index + 1, index + 1 + around).map((l) => clip(l, 0)),
          }
        : null
    file.contexts.set(key, context)
    return context
  }

  const apply = (event: Event, all: StackFrame[]): Event => {
    for (const frame of all) {
      const path = readable(frame)
      // Undefined only if evicted since loading (an event with more files than the cache holds).
      const file = path ? files.get(path) : undefined
      if (!file) continue
      const context = contextOf(file, frame.lineno!, frame.colno)
      if (!context) continue
      // Copies: processors and beforeSend may edit the arrays of this event, never the cache.
      frame.pre_context = context.pre.slice()
      frame.context_line = context.line
      frame.post_context = context.post.slice()
    }
    return event
  }

  return {
    process(event) {
      const all: StackFrame[] = []
      for (const value of event.exception?.values ?? []) if (value.stacktrace) all.push(...value.stacktrace.frames)
      let missing: Set<string> | undefined
      for (const frame of all) {
        const path = readable(frame)
        if (path && !files.has(path)) (missing ??= new Set()).add(path)
      }
      if (!missing) return apply(event, all)
      return Promise.all([...missing].map(load)).then(() => apply(event, all))
    },
  }
}
