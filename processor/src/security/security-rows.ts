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

type Column = (e: SecurityEvent, row: { projectId: string; receivedAt: number }) => unknown

/**
 * Each column of `security_events` this writer fills with how it is read off an event. Rows go as
 * `JSONCompactEachRow` (one array per event in this order): no key per value to encode and parse.
 */
const columns = {
  project_id: (_, r) => Number(r.projectId),
  timestamp: (e) => Date.parse(e['@timestamp']),
  received_at: (_, r) => r.receivedAt,
  event_id: (e) => toUuid(e.event.id),
  kind: (e) => e.event.kind,
  category: (e) => e.event.category,
  type: (e) => e.event.type,
  action: (e) => e.event.action,
  outcome: (e) => e.event.outcome,
  severity: (e) => severityRank(e.event.severity),
  dataset: (e) => e.event.dataset,
  provider: (e) => e.event.provider ?? '',
  reason: (e) => e.event.reason ?? '',
  message: (e) => e.message ?? '',
  source_ip: (e) => toStoredIp(e.source?.ip),
  source_port: (e) => e.source?.port ?? 0,
  geo_country_iso_code: (e) => e.source?.geo?.country_iso_code ?? '',
  geo_country_name: (e) => e.source?.geo?.country_name ?? '',
  user_id: (e) => e.user?.id ?? '',
  user_name: (e) => e.user?.name ?? '',
  user_email: (e) => e.user?.email ?? '',
  user_agent: (e) => e.user_agent?.original ?? '',
  url: (e) => e.url?.original ?? '',
  http_method: (e) => e.http?.request?.method ?? '',
  http_status: (e) => e.http?.response?.status_code ?? 0,
  related_ip: (e) => e.related.ip,
  related_user: (e) => e.related.user,
  related_hosts: (e) => e.related.hosts,
  trace_id: (e) => e.trace?.id ?? '',
  span_id: (e) => e.span?.id ?? '',
  session_id: (e) => e.session?.id ?? '',
  replay_id: (e) => e.replay?.id ?? '',
  attributes: (e) => attributes(e),
  payload: (e) => JSON.stringify(e),
} satisfies Record<string, Column>

const getters: Column[] = Object.values(columns)

/** The column names of `toSecurityEventRow`'s arrays, in their order. */
export const securityEventColumns = Object.keys(columns) as [keyof typeof columns, ...(keyof typeof columns)[]]

export function toSecurityEventRow(projectId: string, receivedAt: number, e: SecurityEvent): unknown[] {
  const row = { projectId, receivedAt }
  return getters.map((get) => get(e, row))
}

function attributes(e: SecurityEvent): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key in e.attributes) out[key] = String(e.attributes[key])
  return out
}
