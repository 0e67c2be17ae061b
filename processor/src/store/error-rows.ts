/** A normalized, grouped event as a row of `error_events` (snake_case at the ClickHouse edge). */
import { toUuid } from '@faultline/core/schema'
import type { NormalizedEvent } from '../normalize'

export interface GroupedEvent {
  event: NormalizedEvent
  fingerprint: string
  groupingStrategy: string
  issueId: string
  /** Set by the templater; '' when the miner failed on this event. */
  templateId?: string
  template?: string
}

export function toErrorEventRow({ event, fingerprint, groupingStrategy, issueId, templateId, template }: GroupedEvent): Record<string, unknown> {
  const outermost = event.exceptions.at(-1)
  const trace = event.contexts.trace ?? {}
  const replay = event.contexts.replay ?? {}
  return {
    project_id: Number(event.projectId),
    fingerprint,
    issue_id: issueId,
    timestamp: event.timestamp,
    received_at: event.receivedAt,
    event_id: toUuid(event.eventId),
    level: event.level,
    platform: event.platform ?? '',
    environment: event.environment,
    release: event.release ?? '',
    dist: event.dist ?? '',
    server_name: event.serverName ?? '',
    transaction: event.transaction ?? '',
    logger: event.logger ?? '',
    title: event.title,
    culprit: event.culprit ?? '',
    exception_type: outermost?.type ?? '',
    exception_value: outermost?.value ?? '',
    message: event.message ?? '',
    user_key: event.userKey ?? '',
    user_id: event.user?.id ?? '',
    user_email: event.user?.email ?? '',
    user_username: event.user?.username ?? '',
    user_ip: event.user?.ipAddress ?? '',
    sdk_name: event.sdk?.name ?? '',
    sdk_version: event.sdk?.version ?? '',
    trace_id: typeof trace.trace_id === 'string' ? trace.trace_id : '',
    span_id: typeof trace.span_id === 'string' ? trace.span_id : '',
    replay_id: typeof replay.replay_id === 'string' ? replay.replay_id : '',
    tags: event.tags,
    grouping_strategy: groupingStrategy,
    template_id: templateId ?? '',
    template: template ?? '',
    payload: JSON.stringify(event),
  }
}
