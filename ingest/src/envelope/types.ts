/** The Sentry envelope, as received: https://develop.sentry.dev/sdk/data-model/envelopes/ */

export interface EnvelopeHeaders {
  event_id?: string
  dsn?: string
  sent_at?: string
  sdk?: { name?: string; version?: string; [key: string]: unknown }
  [key: string]: unknown
}

export interface EnvelopeItemHeaders {
  /** `event`, `transaction`, `attachment`, `session`, `client_report`, `replay_event`, ... kept even when unknown. */
  type: string
  /** Payload size in bytes when the sender declared it. */
  length?: number
  [key: string]: unknown
}

export interface EnvelopeItem {
  headers: EnvelopeItemHeaders
  /** The payload bytes: a view into the envelope body, not a copy. */
  payload: Uint8Array
}

export interface Envelope {
  headers: EnvelopeHeaders
  items: EnvelopeItem[]
}

export interface EnvelopeLimits {
  /** More items than this: 413. */
  maxItems: number
  /** Largest item payload in bytes (e.g. 1 MiB for events), unless `maxItemBytesByType` names the type. */
  maxItemBytes: number
  /** Per-type payload limits, e.g. `{ attachment: 100 MiB, replay_recording: 10 MiB }`. */
  maxItemBytesByType?: Readonly<Record<string, number>>
  /** Longest envelope or item header line in bytes. */
  maxHeaderBytes: number
  /** Deepest JSON nesting accepted in headers; default 64. */
  maxJsonDepth?: number
}

export type EnvelopeResult = { ok: true; envelope: Envelope } | { ok: false; status: 400 | 413; reason: string }
