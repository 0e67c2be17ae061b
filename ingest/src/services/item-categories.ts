/**
 * The bounded vocabulary ingest counts outcomes in: Sentry envelope item types and the data
 * category each is counted under, and the discard reasons SDKs report. Anything else a sender
 * writes is counted as `unknown` / `other`, so no client-chosen string becomes an outcome key: the
 * outcome counters stay a small table however many distinct types or reasons are sent. Lookups go
 * through Maps, so `__proto__` or `constructor` are unknown types like any other.
 */
const categoryByItemType = new Map<string, string>([
  ['event', 'error'],
  ['transaction', 'transaction'],
  ['span', 'span'],
  ['replay_event', 'replay'],
  ['replay_recording', 'replay'],
  ['replay_video', 'replay'],
  ['session', 'session'],
  ['sessions', 'session'],
  ['attachment', 'attachment'],
  ['profile', 'profile'],
  ['profile_chunk', 'profile_chunk'],
  ['check_in', 'monitor'],
  ['feedback', 'feedback'],
  ['user_report', 'user_report_v2'],
  ['statsd', 'metric_bucket'],
  ['metric_meta', 'metric_bucket'],
  ['otel_log', 'log_item'],
  ['log', 'log_item'],
  ['security', 'security'],
])

export const unknownItemType = 'unknown'
const categories = new Set([...categoryByItemType.values(), 'default'])

/** Discard reasons of Sentry's SDKs and relay (`DiscardReason`); others count as `other`. */
const discardReasons = new Set([
  'queue_overflow',
  'cache_overflow',
  'buffer_overflow',
  'ratelimit_backoff',
  'network_error',
  'send_error',
  'sample_rate',
  'before_send',
  'event_processor',
  'internal_sdk_error',
  'insufficient_data',
  'backpressure',
  'ignored',
  'invalid',
])

/** The item type as counted: itself when Sentry defines it, else `unknown`. */
export function countedItemType(itemType: string): string {
  return categoryByItemType.has(itemType) ? itemType : unknownItemType
}

export function itemCategory(itemType: string): string {
  return categoryByItemType.get(itemType) ?? 'default'
}

/** A client report's category and reason as counted. */
export function countedDiscard(category: string, reason: string): { category: string; reason: string } {
  return { category: categories.has(category) ? category : 'default', reason: discardReasons.has(reason) ? reason : 'other' }
}
