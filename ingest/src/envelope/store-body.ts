import { inflateSync } from 'node:zlib'
import { DEFAULT_MAX_JSON_DEPTH, isJsonObject, parseJsonBytes } from './json-guard'

export interface StoreBodyLimits {
  /** Largest event in bytes, after any legacy base64/zlib decoding. */
  maxBytes: number
  /** Deepest JSON nesting accepted; default 64. */
  maxJsonDepth?: number
}

export type StoreBodyResult = { ok: true; event: Record<string, unknown> } | { ok: false; status: 400 | 413; reason: string }

const OPEN_BRACE = 0x7b
const BASE64 = /^[A-Za-z0-9+/=\s]+$/

/**
 * The body of `POST /api/:projectId/store/`: one event as a JSON object. Like relay, also accepts
 * the legacy forms old SDKs (raven) send: base64 of the JSON, or base64 of zlib-deflated JSON.
 */
export function parseStoreBody(bytes: Uint8Array, limits: StoreBodyLimits): StoreBodyResult {
  if (bytes.byteLength > limits.maxBytes) return { ok: false, status: 413, reason: `event exceeds ${limits.maxBytes} bytes` }
  const start = firstNonSpace(bytes)
  if (start === bytes.byteLength) return { ok: false, status: 400, reason: 'empty event' }
  const json = bytes[start] === OPEN_BRACE ? { ok: true as const, bytes } : decodeLegacy(bytes, limits.maxBytes)
  if (!json.ok) return json
  const parsed = parseJsonBytes(json.bytes, 'event', limits.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH)
  if (!parsed.ok) return parsed
  if (!isJsonObject(parsed.value)) return { ok: false, status: 400, reason: 'event is not a JSON object' }
  return { ok: true, event: parsed.value }
}

type Decoded = { ok: true; bytes: Uint8Array } | { ok: false; status: 400 | 413; reason: string }

function decodeLegacy(bytes: Uint8Array, maxBytes: number): Decoded {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  if (!BASE64.test(text)) return { ok: false, status: 400, reason: 'event is neither JSON nor base64' }
  const binary = Buffer.from(text, 'base64')
  if (binary[firstNonSpace(binary)] === OPEN_BRACE) return { ok: true, bytes: binary }
  try {
    // Bounded by maxBytes, so decompressing synchronously costs at most one event's worth of work.
    return { ok: true, bytes: inflateSync(binary, { maxOutputLength: maxBytes }) }
  } catch (error) {
    if (error instanceof RangeError) return { ok: false, status: 413, reason: `decompressed event exceeds ${maxBytes} bytes` }
    return { ok: false, status: 400, reason: `event is base64 but not zlib-compressed JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
}

function firstNonSpace(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.byteLength && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++
  return i
}
