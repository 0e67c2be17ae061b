/**
 * Sentry envelope item types and the data category each is counted under. Only `event` has a
 * processor today; the rest are acknowledged and counted as filtered outcomes until theirs lands.
 */
const categoryByItemType: Record<string, string> = {
  event: 'error',
  transaction: 'transaction',
  span: 'span',
  replay_event: 'replay',
  replay_recording: 'replay',
  replay_video: 'replay',
  session: 'session',
  sessions: 'session',
  attachment: 'attachment',
  profile: 'profile',
  profile_chunk: 'profile_chunk',
  check_in: 'monitor',
  feedback: 'feedback',
  user_report: 'user_report_v2',
  statsd: 'metric_bucket',
  metric_meta: 'metric_bucket',
  otel_log: 'log_item',
  log: 'log_item',
  security: 'security',
}

export function itemCategory(itemType: string): string {
  return categoryByItemType[itemType] ?? 'default'
}
