/**
 * What the scrubber needs to know of each kind of item ingest accepts, now and as they land:
 * the top-level fields written by SDKs rather than by the app's data (left intact so grouping,
 * timing and linking keep working), and whether the item carries a Sentry `user` and `logentry`.
 * Everything else in the payload is scrubbed by the same rules.
 */

export const ItemKinds = {
  /** Error events (and `store` payloads). */
  event: 'event',
  transaction: 'transaction',
  /** A standalone span (OTLP or Sentry span v2). */
  span: 'span',
  replayEvent: 'replay_event',
  /** rrweb events of a replay recording: breadcrumbs, console and network entries, DOM text. */
  replayRecording: 'replay_recording',
  /** CSP and Reporting API reports, and Faultline's own security events. */
  security: 'security',
} as const
export type ItemKind = (typeof ItemKinds)[keyof typeof ItemKinds]

export interface ItemProfile {
  structural: ReadonlySet<string>
  hasUser: boolean
}

const eventStructure = ['event_id', 'timestamp', 'start_timestamp', 'received', 'type', 'platform', 'level', 'sdk', 'debug_meta', 'modules', 'version']

export const itemProfiles: Record<ItemKind, ItemProfile> = {
  event: { structural: new Set(eventStructure), hasUser: true },
  transaction: { structural: new Set([...eventStructure, 'measurements', 'breakdowns']), hasUser: true },
  span: {
    structural: new Set(['span_id', 'trace_id', 'parent_span_id', 'segment_id', 'start_timestamp', 'timestamp', 'end_timestamp', 'exclusive_time', 'status', 'op', 'origin', 'is_segment', 'kind', 'received']),
    hasUser: false,
  },
  replay_event: { structural: new Set([...eventStructure, 'replay_id', 'segment_id', 'replay_type', 'replay_start_timestamp', 'error_ids', 'trace_ids']), hasUser: true },
  replay_recording: { structural: new Set(['type', 'timestamp']), hasUser: false },
  security: { structural: new Set(['effective-directive', 'violated-directive', 'disposition', 'status-code', 'type', 'age']), hasUser: false },
}
