/**
 * JSON parsing for untrusted bytes. `JSON.parse` recurses once per nesting level, so a body of
 * 100,000 `[` overflows the stack (a RangeError deep in V8, or worse, a crash in whatever walks the
 * value next). The nesting depth is therefore measured first with a linear scan that keeps no stack.
 */

export const DEFAULT_MAX_JSON_DEPTH = 64

export type JsonResult = { ok: true; value: unknown } | { ok: false; status: 400; reason: string }

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Decodes strict UTF-8 (no replacement characters), or undefined when the bytes are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes)
  } catch {
    // The fatal decoder's only failure is invalid UTF-8, which callers report as their own 400.
    return undefined
  }
}

/** The deepest nesting of arrays and objects in `text`, stopping early once past `limit`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // backslash: the next character is escaped, whatever it is
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) {
        deepest = depth
        if (deepest > limit) return deepest
      }
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return deepest
}

/** Parses JSON text after checking its depth; `what` names the value in the reason, e.g. "event item". */
export function parseJsonText(text: string, what: string, maxDepth = DEFAULT_MAX_JSON_DEPTH): JsonResult {
  if (jsonDepth(text, maxDepth) > maxDepth) return { ok: false, status: 400, reason: `${what} is nested deeper than ${maxDepth} levels` }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (error) {
    return { ok: false, status: 400, reason: `${what} is not valid JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
}

/** Parses UTF-8 JSON bytes with the depth guard. */
export function parseJsonBytes(bytes: Uint8Array, what: string, maxDepth = DEFAULT_MAX_JSON_DEPTH): JsonResult {
  const text = decodeUtf8(bytes)
  if (text === undefined) return { ok: false, status: 400, reason: `${what} is not valid UTF-8` }
  return parseJsonText(text, what, maxDepth)
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
