import { SdkError } from '../errors'
import type { Event, SdkInfo } from '../types'
import { fastStringify } from '../utils'

/**
 * Item types this SDK writes. `security` is Faultline's own extension of the Sentry protocol
 * (security events from apps); the rest are Sentry's.
 */
export const EnvelopeItemTypes = {
  event: 'event',
  transaction: 'transaction',
  clientReport: 'client_report',
  session: 'session',
  replayEvent: 'replay_event',
  replayRecording: 'replay_recording',
  attachment: 'attachment',
  security: 'security',
} as const
export type EnvelopeItemType = (typeof EnvelopeItemTypes)[keyof typeof EnvelopeItemTypes]

/** Data categories used by rate limits and client reports. */
export const DataCategories = {
  error: 'error',
  transaction: 'transaction',
  replay: 'replay',
  security: 'security',
  session: 'session',
  attachment: 'attachment',
  internal: 'internal',
  default: 'default',
} as const
export type DataCategory = (typeof DataCategories)[keyof typeof DataCategories]

export interface EnvelopeHeaders {
  event_id?: string
  sent_at?: string
  dsn?: string
  sdk?: SdkInfo
  [key: string]: unknown
}

export interface EnvelopeItemHeaders {
  type: string
  length?: number
  content_type?: string
  filename?: string
  [key: string]: unknown
}

export type EnvelopeItemPayload = Record<string, unknown> | Event | string | Uint8Array
export type EnvelopeItem = [EnvelopeItemHeaders, EnvelopeItemPayload]
export type Envelope = [EnvelopeHeaders, EnvelopeItem[]]

export function createEnvelope(headers: EnvelopeHeaders, items: EnvelopeItem[] = []): Envelope {
  return [headers, items]
}

export function addItemToEnvelope(envelope: Envelope, item: EnvelopeItem): Envelope {
  return [envelope[0], [...envelope[1], item]]
}

const itemTypeToCategory: Record<string, DataCategory> = {
  event: 'error',
  transaction: 'transaction',
  session: 'session',
  sessions: 'session',
  attachment: 'attachment',
  client_report: 'internal',
  replay_event: 'replay',
  replay_recording: 'replay',
  security: 'security',
}

export function itemTypeToDataCategory(type: string): DataCategory {
  return itemTypeToCategory[type] ?? 'default'
}

/** The categories an envelope counts against, once each, for rate limits and drop accounting. */
export function envelopeCategories(envelope: Envelope): DataCategory[] {
  return [...new Set(envelope[1].map(([headers]) => itemTypeToDataCategory(headers.type)))]
}

const encoder = /* @__PURE__ */ new TextEncoder()
const decoder = /* @__PURE__ */ new TextDecoder()

const nonAscii = /[\u0080-\uffff]/

/** UTF-8 byte length; the regex check is a few times cheaper than encoding, and most bodies are ASCII. */
function utf8Length(text: string): number {
  return nonAscii.test(text) ? encoder.encode(text).length : text.length
}

/**
 * The wire form: a header line, then per item a header line with the payload's byte length and the
 * payload. Text when every payload is text (the common case, cheap to send); bytes otherwise.
 */
export function serializeEnvelope(envelope: Envelope): string | Uint8Array {
  const [headers, items] = envelope
  const parts: (string | Uint8Array)[] = [fastStringify(headers)]
  let binary = false
  for (const [itemHeaders, payload] of items) {
    if (payload instanceof Uint8Array) {
      binary = true
      parts.push(`\n${fastStringify({ ...itemHeaders, length: payload.length })}\n`, payload)
    } else {
      // Events were normalized by the client; anything else unusual falls back to the safe path.
      const text = typeof payload === 'string' ? payload : fastStringify(payload)
      parts.push(`\n${fastStringify({ ...itemHeaders, length: utf8Length(text) })}\n${text}`)
    }
  }
  if (!binary) return parts.join('')
  const chunks = parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : p))
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

/**
 * Parses an envelope (used by tests and the outbox). Items without `length` run to the next newline,
 * as the protocol allows. JSON payloads are parsed; attachments and recordings stay bytes.
 */
export function parseEnvelope(input: string | Uint8Array): Envelope {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input
  let pos = 0
  const readLine = (): string => {
    let end = bytes.indexOf(10, pos)
    if (end < 0) end = bytes.length
    const line = decoder.decode(bytes.subarray(pos, end))
    pos = end + 1
    return line
  }
  const parseJson = (text: string, what: string): Record<string, unknown> => {
    try {
      return JSON.parse(text) as Record<string, unknown>
    } catch (cause) {
      throw new SdkError('invalid_envelope', `envelope ${what} is not JSON`, { cause })
    }
  }
  const headers = parseJson(readLine(), 'header') as EnvelopeHeaders
  const items: EnvelopeItem[] = []
  while (pos < bytes.length) {
    const line = readLine()
    if (line.trim() === '') continue
    const itemHeaders = parseJson(line, 'item header') as EnvelopeItemHeaders
    let payload: Uint8Array
    if (typeof itemHeaders.length === 'number') {
      if (pos + itemHeaders.length > bytes.length) throw new SdkError('invalid_envelope', 'item length exceeds envelope')
      payload = bytes.subarray(pos, pos + itemHeaders.length)
      pos += itemHeaders.length + 1
    } else {
      let end = bytes.indexOf(10, pos)
      if (end < 0) end = bytes.length
      payload = bytes.subarray(pos, end)
      pos = end + 1
    }
    const isBinary = itemHeaders.type === 'attachment' || itemHeaders.type === 'replay_recording'
    items.push([itemHeaders, isBinary ? payload.slice() : parseJson(decoder.decode(payload), 'item payload')])
  }
  return [headers, items]
}

export function createEventEnvelope(event: Event, meta: { dsn?: string; sdk?: SdkInfo }): Envelope {
  return createEnvelope(
    { event_id: event.event_id, sent_at: new Date().toISOString(), ...(meta.dsn && { dsn: meta.dsn }), ...(meta.sdk && { sdk: { name: meta.sdk.name, version: meta.sdk.version } }) },
    [[{ type: event.type === 'transaction' ? 'transaction' : 'event' }, event]],
  )
}

export interface Outcome {
  reason: string
  category: string
  quantity: number
}

export function createClientReportEnvelope(outcomes: Outcome[], dsn?: string): Envelope {
  return createEnvelope({ ...(dsn && { dsn }) }, [
    [{ type: 'client_report' }, { timestamp: Date.now() / 1000, discarded_events: outcomes }],
  ])
}
