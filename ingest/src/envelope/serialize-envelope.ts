import type { EnvelopeHeaders, EnvelopeItem } from './types'

const encoder = new TextEncoder()

/**
 * Writes an envelope that `parseEnvelope` (and relay) read back byte for byte. Every item gets a
 * `length` equal to its payload's byte length, whatever its headers said, so binary payloads and
 * payloads containing newlines survive the trip.
 */
export function serializeEnvelope(headers: EnvelopeHeaders, items: readonly EnvelopeItem[]): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode(`${JSON.stringify(headers)}\n`)]
  for (const item of items) {
    parts.push(encoder.encode(`${JSON.stringify({ ...item.headers, length: item.payload.byteLength })}\n`), item.payload, newline)
  }
  let size = 0
  for (const part of parts) size += part.byteLength
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const part of parts) {
    bytes.set(part, offset)
    offset += part.byteLength
  }
  return bytes
}

const newline = new Uint8Array([0x0a])
