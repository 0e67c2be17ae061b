/**
 * The message ingest puts on the `security` subject: the normalized, scrubbed security events of
 * one submission for one project (up to `maxEventsPerMessage`, so a large NDJSON upload becomes a
 * few messages). Versioned like the error message; processors read the current and the previous
 * version. The id (`projectId:firstEventId:count`) makes a retried submission one message.
 */
import { decodeVersionedJson, type DecodeResult } from '../schema'
import type { SecurityEvent } from './security-event'

export const SecurityMessageVersion = 1 as const
export const maxEventsPerMessage = 500

export interface SecurityMessageV1 {
  v: 1
  projectId: string
  receivedAt: number
  events: SecurityEvent[]
}

export type SecurityMessage = SecurityMessageV1

const encoder = new TextEncoder()

export function encodeSecurityMessage(message: SecurityMessage): Uint8Array {
  return encoder.encode(JSON.stringify(message))
}

export function securityMessageId(message: SecurityMessage): string {
  return `${message.projectId}:${message.events[0]?.event.id ?? ''}:${message.events.length}`
}

export function decodeSecurityMessage(data: Uint8Array): DecodeResult<SecurityMessage> {
  const json = decodeVersionedJson<SecurityMessageV1>(data)
  if (!json.ok) return json
  const m = json.message
  if (m.v !== 1) return { ok: false, reason: `unsupported schema version ${String(m.v)}` }
  if (typeof m.projectId !== 'string' || typeof m.receivedAt !== 'number') return { ok: false, reason: 'missing projectId or receivedAt' }
  if (!Array.isArray(m.events) || m.events.length === 0) return { ok: false, reason: 'events is not a non-empty array' }
  for (const event of m.events) {
    if (!event || typeof event !== 'object' || typeof event.event?.id !== 'string' || typeof event.event.action !== 'string' || typeof event['@timestamp'] !== 'string') {
      return { ok: false, reason: 'an event lacks event.id, event.action or @timestamp' }
    }
  }
  return { ok: true, message: m as SecurityMessageV1 }
}

/** Splits a submission's events into messages of at most `maxEventsPerMessage`. */
export function securityMessages(projectId: string, receivedAt: number, events: SecurityEvent[]): SecurityMessage[] {
  const messages: SecurityMessage[] = []
  for (let i = 0; i < events.length; i += maxEventsPerMessage) {
    messages.push({ v: 1, projectId, receivedAt, events: events.slice(i, i + maxEventsPerMessage) })
  }
  return messages
}
