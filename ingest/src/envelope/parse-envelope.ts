import { parseEventId } from '@faultline/core/schema'
import { DEFAULT_MAX_JSON_DEPTH, decodeUtf8, isJsonObject, parseJsonText } from './json-guard'
import type { EnvelopeHeaders, EnvelopeItem, EnvelopeItemHeaders, EnvelopeLimits, EnvelopeResult } from './types'

const NEWLINE = 0x0a
type Failure = Extract<EnvelopeResult, { ok: false }>

/**
 * Parses a Sentry envelope: a JSON header line, then items, each a JSON header line followed by its
 * payload. With `length` the payload is exactly that many bytes (binary and newlines allowed) and
 * must be followed by a newline or the end; without it the payload runs to the next newline or the
 * end. `\r` is payload like any other byte (Sentry never writes CRLF). Blank lines where an item
 * header is expected are skipped, as relay's JSON stream reader skips whitespace. Items of unknown
 * types are kept so the caller can count them as discarded.
 *
 * Every search for a newline is bounded by the limit of the line being read, so a body without
 * newlines costs one bounded scan, never a pass over the whole body per item.
 */
export function parseEnvelope(bytes: Uint8Array, limits: EnvelopeLimits): EnvelopeResult {
  const maxDepth = limits.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH
  if (bytes.byteLength === 0) return fail(400, 'empty envelope')

  const headerLine = readLine(bytes, 0, limits.maxHeaderBytes)
  if (headerLine === undefined) return fail(413, `envelope header exceeds ${limits.maxHeaderBytes} bytes`)
  const headers = parseHeaderObject(bytes.subarray(0, headerLine.end), 'envelope header', maxDepth)
  if (!headers.ok) return headers
  const headerError = checkEnvelopeHeaders(headers.value)
  if (headerError !== undefined) return fail(400, headerError)

  const items: EnvelopeItem[] = []
  let pos = headerLine.next
  while (pos < bytes.byteLength) {
    if (bytes[pos] === NEWLINE) {
      pos++
      continue
    }
    if (items.length >= limits.maxItems) return fail(413, `envelope has more than ${limits.maxItems} items`)
    const item = readItem(bytes, pos, limits, maxDepth, items.length)
    if (!item.ok) return item
    items.push(item.item)
    pos = item.next
  }
  return { ok: true, envelope: { headers: headers.value as EnvelopeHeaders, items } }
}

type ItemRead = { ok: true; item: EnvelopeItem; next: number } | Failure

function readItem(bytes: Uint8Array, start: number, limits: EnvelopeLimits, maxDepth: number, index: number): ItemRead {
  const what = `item ${index} header`
  const line = readLine(bytes, start, limits.maxHeaderBytes)
  if (line === undefined) return fail(413, `${what} exceeds ${limits.maxHeaderBytes} bytes`)
  const parsed = parseHeaderObject(bytes.subarray(start, line.end), what, maxDepth)
  if (!parsed.ok) return parsed
  const headers = parsed.value
  const type = headers.type
  if (typeof type !== 'string' || type === '') return fail(400, `${what} has no type`)
  // Own properties only: a type named `constructor` or `__proto__` must not read Object.prototype.
  const perType = limits.maxItemBytesByType
  const maxBytes = perType !== undefined && Object.hasOwn(perType, type) ? perType[type]! : limits.maxItemBytes

  const length = headers.length
  if (length === undefined || length === null) {
    delete headers.length
    const payloadLine = readLine(bytes, line.next, maxBytes)
    if (payloadLine === undefined) return fail(413, `${type} item exceeds ${maxBytes} bytes`)
    const payload = bytes.subarray(line.next, payloadLine.end)
    return { ok: true, item: { headers: headers as EnvelopeItemHeaders, payload }, next: payloadLine.next }
  }
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    return fail(400, `${what} has an invalid length: ${JSON.stringify(length).slice(0, 40)}`)
  }
  const payloadStart = line.next
  const payloadEnd = payloadStart + length
  if (payloadEnd > bytes.byteLength) {
    return fail(400, `item length exceeds envelope (item ${index}: ${length} bytes declared, ${bytes.byteLength - payloadStart} left)`)
  }
  if (length > maxBytes) return fail(413, `${type} item exceeds ${maxBytes} bytes`)
  if (payloadEnd < bytes.byteLength && bytes[payloadEnd] !== NEWLINE) {
    return fail(400, `item ${index} payload is not followed by a newline after its ${length} declared bytes`)
  }
  const payload = bytes.subarray(payloadStart, payloadEnd)
  return { ok: true, item: { headers: headers as EnvelopeItemHeaders, payload }, next: payloadEnd + 1 }
}

interface Line {
  /** Index just past the line's last byte (its newline or the end). */
  end: number
  /** Where the next line starts. */
  next: number
}

/** The line starting at `start` if it has at most `maxBytes` bytes before its newline (or the end). */
function readLine(bytes: Uint8Array, start: number, maxBytes: number): Line | undefined {
  const window = bytes.subarray(start, Math.min(bytes.byteLength, start + maxBytes + 1))
  const newline = window.indexOf(NEWLINE)
  if (newline >= 0) return { end: start + newline, next: start + newline + 1 }
  if (window.byteLength > maxBytes) return undefined
  return { end: bytes.byteLength, next: bytes.byteLength }
}

type HeaderParse = { ok: true; value: Record<string, unknown> } | Failure

function parseHeaderObject(line: Uint8Array, what: string, maxDepth: number): HeaderParse {
  const text = decodeUtf8(line)
  if (text === undefined) return fail(400, `${what} is not valid UTF-8`)
  if (text.trim() === '') return fail(400, `${what} is empty`)
  const parsed = parseJsonText(text, what, maxDepth)
  if (!parsed.ok) return parsed
  if (!isJsonObject(parsed.value)) return fail(400, `${what} is not a JSON object`)
  return { ok: true, value: parsed.value }
}

function checkEnvelopeHeaders(headers: Record<string, unknown>): string | undefined {
  if (headers.event_id !== undefined && headers.event_id !== null && parseEventId(headers.event_id) === undefined) {
    return 'envelope header has an invalid event_id'
  }
  for (const key of ['dsn', 'sent_at'] as const) {
    if (headers[key] !== undefined && typeof headers[key] !== 'string') return `envelope header ${key} is not a string`
  }
  if (headers.sdk !== undefined && !isJsonObject(headers.sdk)) return 'envelope header sdk is not an object'
  return undefined
}

function fail(status: 400 | 413, reason: string): Failure {
  return { ok: false, status, reason }
}
