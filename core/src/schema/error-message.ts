/**
 * The message ingest puts on the `errors` subject: one accepted, scrubbed Sentry event. Carries a
 * schema version; processors read the current and the previous version.
 */
export const ErrorMessageVersion = 1 as const

export interface ErrorMessageV1 {
  v: 1
  projectId: string
  eventId: string
  receivedAt: number
  clientIp?: string
  /** The scrubbed Sentry event payload as the SDK sent it. */
  event: Record<string, unknown>
}

export type ErrorMessage = ErrorMessageV1

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export function encodeErrorMessage(message: ErrorMessage): Uint8Array {
  return encoder.encode(JSON.stringify(message))
}

export type DecodeResult<T> = { ok: true; message: T } | { ok: false; reason: string }

/** A bus message's bytes as a JSON object with its schema version; every message decoder starts here. */
export function decodeVersionedJson<T extends { v: number }>(data: Uint8Array): DecodeResult<Partial<T>> {
  let parsed: unknown
  try {
    parsed = JSON.parse(decoder.decode(data))
  } catch (error) {
    return { ok: false, reason: `not UTF-8 JSON: ${(error as Error).message}` }
  }
  if (!parsed || typeof parsed !== 'object') return { ok: false, reason: 'not a JSON object' }
  return { ok: true, message: parsed as Partial<T> }
}

export function decodeErrorMessage(data: Uint8Array): DecodeResult<ErrorMessage> {
  const json = decodeVersionedJson<ErrorMessageV1>(data)
  if (!json.ok) return json
  const m = json.message
  if (m.v !== 1) return { ok: false, reason: `unsupported schema version ${String(m.v)}` }
  if (typeof m.projectId !== 'string' || typeof m.eventId !== 'string' || typeof m.receivedAt !== 'number') {
    return { ok: false, reason: 'missing projectId, eventId or receivedAt' }
  }
  if (!m.event || typeof m.event !== 'object' || Array.isArray(m.event)) return { ok: false, reason: 'event is not an object' }
  return { ok: true, message: m as ErrorMessageV1 }
}
