import { readFile, stat } from 'node:fs/promises'
import type { Event, StackFrame } from '@faultline/sdk-core'

const maxFileBytes = 2 * 1024 * 1024
const maxLineLength = 200

/** Least-recently-used map: Map keeps insertion order, so re-inserting on read moves a key to the end. */
export class LruCache<K, V> {
  #map = new Map<K, V>()
  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    if (!this.#map.has(key)) return undefined
    const value = this.#map.get(key) as V
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
  /** Event processor: fills pre_context / context_line / post_context of every readable frame. */
  process(event: Event): Promise<Event>
}

/**
 * Source lines around each frame, read from disk once per file and kept in an LRU (files that
 * could not be read are cached as `null` so a missing file is not retried on every event).
 */
export function createContextLines(options: { lines?: number; cacheSize?: number } = {}): ContextLines {
  const around = options.lines ?? 5
  const cache = new LruCache<string, string[] | null>(options.cacheSize ?? 100)

  const load = async (path: string): Promise<string[] | null> => {
    if (cache.has(path)) return cache.get(path) ?? null
    let lines: string[] | null = null
    try {
      const info = await stat(path)
      if (info.isFile() && info.size <= maxFileBytes) lines = (await readFile(path, 'utf8')).split(/\r?\n/)
    } catch {
      lines = null
    }
    cache.set(path, lines)
    return lines
  }

  return {
    async process(event) {
      const frames = (event.exception?.values ?? []).flatMap((v) => v.stacktrace?.frames ?? [])
      const paths = [...new Set(frames.map(readable).filter((p): p is string => p !== undefined))]
      const files = new Map(await Promise.all(paths.map(async (p) => [p, await load(p)] as const)))
      for (const frame of frames) {
        const path = readable(frame)
        const lines = path ? files.get(path) : undefined
        if (!lines || frame.lineno === undefined) continue
        const index = frame.lineno - 1
        if (index < 0 || index >= lines.length) continue
        frame.pre_context = lines.slice(Math.max(0, index - around), index).map((l) => clip(l, 0))
        frame.context_line = clip(lines[index]!, frame.colno)
        frame.post_context = lines.slice(index + 1, index + 1 + around).map((l) => clip(l, 0))
      }
      return event
    },
  }
}
