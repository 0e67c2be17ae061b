import type { Event } from '../types'
import { normalize } from '../utils'

// The fields that carry host data. Everything else the SDK built itself from strings and numbers.
const hostFields = ['user', 'tags', 'extra', 'contexts', 'request', 'breadcrumbs', 'fingerprint', 'message'] as const

/**
 * Copies the host-supplied parts of an event into JSON-safe form (see `normalize`), so that the
 * event serializes with the engine's JSON.stringify and later changes to host objects do not leak
 * into an event already captured.
 */
export function normalizeEvent(event: Event): Event {
  const out: Event = { ...event }
  const writable = out as Record<string, unknown>
  for (const field of hostFields) if (out[field] !== undefined) writable[field] = normalize(out[field])
  if (out.exception) {
    out.exception = {
      values: out.exception.values.map((value) => (value.mechanism?.data ? { ...value, mechanism: { ...value.mechanism, data: normalize(value.mechanism.data) as Record<string, unknown> } } : value)),
    }
  }
  return out
}
