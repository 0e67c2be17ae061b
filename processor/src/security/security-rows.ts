/** A security event as a row of `security_events` (snake_case at the ClickHouse edge). */
import { toUuid } from '@faultline/core/schema'
import { severityRank, type SecurityEvent } from '@faultline/core/security'

/** IPv4 addresses are stored as IPv4-mapped IPv6 (`source_ip IPv6`); none is `::`. */
export function toStoredIp(ip: string | undefined): string {
  if (!ip) return '::'
  return ip.includes(':') ? ip : `::ffff:${ip}`
}

export function fromStoredIp(stored: string): string {
  if (stored === '::') return ''
  return stored.startsWith('::ffff:') && stored.includes('.') ? stored.slice(7) : stored
}

export function toSecurityEventRow(projectId: string, receivedAt: number, e: SecurityEvent): Record<string, unknown> {
  const attributes: Record<string, string> = {}
  for (const [key, value] of Object.entries(e.attributes)) attributes[key] = String(value)
  return {
    project_id: Number(projectId),
    timestamp: Date.parse(e['@timestamp']),
    received_at: receivedAt,
    event_id: toUuid(e.event.id),
    kind: e.event.kind,
    category: e.event.category,
    type: e.event.type,
    action: e.event.action,
    outcome: e.event.outcome,
    severity: severityRank(e.event.severity),
    dataset: e.event.dataset,
    provider: e.event.provider ?? '',
    reason: e.event.reason ?? '',
    message: e.message ?? '',
    source_ip: toStoredIp(e.source?.ip),
    source_port: e.source?.port ?? 0,
    geo_country_iso_code: e.source?.geo?.country_iso_code ?? '',
    geo_country_name: e.source?.geo?.country_name ?? '',
    user_id: e.user?.id ?? '',
    user_name: e.user?.name ?? '',
    user_email: e.user?.email ?? '',
    user_agent: e.user_agent?.original ?? '',
    url: e.url?.original ?? '',
    http_method: e.http?.request?.method ?? '',
    http_status: e.http?.response?.status_code ?? 0,
    related_ip: e.related.ip,
    related_user: e.related.user,
    related_hosts: e.related.hosts,
    trace_id: e.trace?.id ?? '',
    span_id: e.span?.id ?? '',
    session_id: e.session?.id ?? '',
    replay_id: e.replay?.id ?? '',
    attributes,
    payload: JSON.stringify(e),
  }
}
