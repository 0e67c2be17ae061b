import { Limits, dropUndefined, isRecord, readBoolean, readCount, readString, readStringArray } from './coerce'
import type { NormalizedFrame } from './types'

/** Sentry's frame allowance per stack: beyond it, frames from the middle are dropped. */
export const maxFramesPerStack = 250
const maxContextLines = 10

const systemPathPatterns: readonly RegExp[] = [
  /(^|[/\\])node_modules([/\\]|$)/,
  /^\/usr\/lib\//,
  /^\/usr\/local\/lib\//,
  /^node:/,
  /^internal\//,
  /^\[native code\]$/,
  /^native$/,
  /^<anonymous>$/,
]

/**
 * What the SDK would have said: a frame is library or runtime code when its path is a package,
 * a runtime internal or native; a frame without any path is taken as native too.
 */
export function inferInApp(path: string | undefined): boolean {
  if (path === undefined) return false
  return !systemPathPatterns.some((pattern) => pattern.test(path))
}

export function normalizeFrame(raw: unknown): NormalizedFrame | undefined {
  if (!isRecord(raw)) return undefined
  const filename = readString(raw.filename)
  const absPath = readString(raw.abs_path)
  const frame: NormalizedFrame = {
    filename,
    absPath,
    module: readString(raw.module, Limits.shortString * 2),
    function: readString(raw.function, Limits.shortString * 2),
    lineno: readCount(raw.lineno),
    colno: readCount(raw.colno),
    inApp: readBoolean(raw.in_app) ?? inferInApp(absPath ?? filename),
    contextLine: readString(raw.context_line),
    preContext: readStringArray(raw.pre_context, maxContextLines),
    postContext: readStringArray(raw.post_context, maxContextLines),
  }
  return dropUndefined(frame)
}

/** Keeps the first and the last halves of an over-long list, as Sentry trims stacks. */
export function keepEnds<T>(items: readonly T[], max: number): { kept: T[]; omitted: number } {
  if (items.length <= max) return { kept: [...items], omitted: 0 }
  const head = Math.floor(max / 2)
  const tail = max - head
  return { kept: [...items.slice(0, head), ...items.slice(items.length - tail)], omitted: items.length - max }
}

/** The frames of a Sentry `stacktrace` object, oldest call first, bounded. */
export function normalizeStacktrace(raw: unknown): { frames: NormalizedFrame[]; omitted: number } {
  if (!isRecord(raw) || !Array.isArray(raw.frames)) return { frames: [], omitted: 0 }
  // Trim before normalizing so a hostile stack of millions of frames costs little.
  const { kept, omitted } = keepEnds(raw.frames, maxFramesPerStack)
  const frames: NormalizedFrame[] = []
  for (const item of kept) {
    const frame = normalizeFrame(item)
    if (frame) frames.push(frame)
  }
  return { frames, omitted }
}
