import { Limits, dropUndefined, isRecord, readBoolean, readCount, readString, readStringArray, setOwn } from './coerce'
import { readAddress } from './addresses'
import { inferInApp } from './in-app'
import type { NormalizedFrame, NormalizedStacktrace } from './types'

/** Sentry's frame allowance per stack: beyond it, frames from the middle are dropped. */
export const maxFramesPerStack = 250
const maxContextLines = 10
const maxRegisters = 64

export function normalizeFrame(raw: unknown): NormalizedFrame | undefined {
  if (!isRecord(raw)) return undefined
  const filename = readString(raw.filename)
  const absPath = readString(raw.abs_path)
  const module = readString(raw.module, Limits.shortString * 2)
  const pkg = readString(raw.package, Limits.string)
  const fn = readString(raw.function, Limits.shortString * 2)
  const rawFunction = readString(raw.raw_function, Limits.string)
  const frame: NormalizedFrame = {
    filename,
    absPath,
    module,
    function: fn,
    rawFunction: rawFunction === fn ? undefined : rawFunction,
    symbol: readString(raw.symbol, Limits.string),
    package: pkg,
    platform: readString(raw.platform, 64),
    lineno: readCount(raw.lineno),
    colno: readCount(raw.colno),
    inApp: readBoolean(raw.in_app) ?? inferInApp({ path: absPath ?? filename, module, package: pkg }),
    contextLine: readString(raw.context_line),
    preContext: readStringArray(raw.pre_context, maxContextLines),
    postContext: readStringArray(raw.post_context, maxContextLines),
    instructionAddr: readAddress(raw.instruction_addr),
    symbolAddr: readAddress(raw.symbol_addr),
    imageAddr: readAddress(raw.image_addr),
    addrMode: readString(raw.addr_mode, 32),
    functionId: readAddress(raw.function_id),
    trust: readString(raw.trust, 32),
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

/** Legacy raven-java's `frames_omitted: [start, end]`: how many frames the client left out. */
function clientOmitted(raw: unknown): number {
  if (!Array.isArray(raw) || raw.length !== 2) return 0
  const [start, end] = raw.map(readCount)
  return start !== undefined && end !== undefined && end > start ? end - start : 0
}

function readRegisters(raw: unknown): Record<string, string> | undefined {
  if (!isRecord(raw)) return undefined
  const out: Record<string, string> = {}
  let count = 0
  for (const [name, value] of Object.entries(raw)) {
    if (count >= maxRegisters) break
    const address = readAddress(value)
    if (address === undefined) continue
    setOwn(out, name.slice(0, 32), address)
    count++
  }
  return count > 0 ? out : undefined
}

/** A Sentry `stacktrace` object (or a bare list of frames), oldest call first, bounded. */
export function normalizeStacktrace(raw: unknown): NormalizedStacktrace {
  const rawFrames = Array.isArray(raw) ? raw : isRecord(raw) && Array.isArray(raw.frames) ? raw.frames : []
  // Trim before normalizing so a hostile stack of millions of frames costs little.
  const { kept, omitted } = keepEnds(rawFrames, maxFramesPerStack)
  const frames: NormalizedFrame[] = []
  for (const item of kept) {
    const frame = normalizeFrame(item)
    if (frame) frames.push(frame)
  }
  const record = isRecord(raw) ? raw : {}
  const framesOmitted = omitted + clientOmitted(record.frames_omitted)
  return dropUndefined({
    frames,
    framesOmitted: framesOmitted > 0 ? framesOmitted : undefined,
    registers: frames.length > 0 ? readRegisters(record.registers) : undefined,
  })
}
