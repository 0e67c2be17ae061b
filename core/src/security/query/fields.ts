/**
 * The fields the security query language knows, each with its kind and where it lives: the
 * ClickHouse column (the timeline's SQL) and the value on a `SecurityEvent` (the detections'
 * in-memory matching). One table, so a query means the same thing in both places.
 */
import type { SecurityEvent } from '../security-event'
import { severityRank } from '../vocabulary'

export const FieldKinds = {
  /** Exact match, `*`/`?` wildcards. */
  keyword: 'keyword',
  /** An array of keywords: matches when any element does. */
  keywords: 'keywords',
  /** Case-insensitive phrase or wildcard search. */
  text: 'text',
  /** An IP address or a CIDR range. */
  ip: 'ip',
  /** An array of IP addresses. */
  ips: 'ips',
  /** Integers with comparisons. */
  number: 'number',
  /** Severity level names with comparisons (`event.severity >= high`). */
  severity: 'severity',
} as const
export type FieldKind = (typeof FieldKinds)[keyof typeof FieldKinds]

export interface FieldSpec {
  kind: FieldKind
  /** The ClickHouse expression (a column of `security_events`). */
  column: string
  /** The value on an event; arrays for the `keywords`/`ips` kinds. */
  get: (event: SecurityEvent) => string | number | string[] | undefined
  /** For `attributes.<key>`: the key, bound as a parameter (the column is then the map). */
  attribute?: string
}

const f = (kind: FieldKind, column: string, get: FieldSpec['get']): FieldSpec => ({ kind, column, get })

export const securityFields: Record<string, FieldSpec> = {
  'event.id': f('keyword', "replaceAll(toString(event_id), '-', '')", (e) => e.event.id),
  'event.kind': f('keyword', 'kind', (e) => e.event.kind),
  'event.category': f('keywords', 'category', (e) => e.event.category),
  'event.type': f('keywords', 'type', (e) => e.event.type),
  'event.action': f('keyword', 'action', (e) => e.event.action),
  'event.outcome': f('keyword', 'outcome', (e) => e.event.outcome),
  'event.severity': f('severity', 'severity', (e) => severityRank(e.event.severity)),
  'event.dataset': f('keyword', 'dataset', (e) => e.event.dataset),
  'event.provider': f('keyword', 'provider', (e) => e.event.provider),
  'event.reason': f('text', 'reason', (e) => e.event.reason),
  message: f('text', 'message', (e) => e.message),
  'source.ip': f('ip', 'source_ip', (e) => e.source?.ip),
  'source.port': f('number', 'source_port', (e) => e.source?.port),
  'source.geo.country_iso_code': f('keyword', 'geo_country_iso_code', (e) => e.source?.geo?.country_iso_code),
  'source.geo.country_name': f('keyword', 'geo_country_name', (e) => e.source?.geo?.country_name),
  'user.id': f('keyword', 'user_id', (e) => e.user?.id),
  'user.name': f('keyword', 'user_name', (e) => e.user?.name),
  'user.email': f('keyword', 'user_email', (e) => e.user?.email),
  'user_agent.original': f('text', 'user_agent', (e) => e.user_agent?.original),
  'url.original': f('text', 'url', (e) => e.url?.original),
  'http.request.method': f('keyword', 'http_method', (e) => e.http?.request?.method),
  'http.response.status_code': f('number', 'http_status', (e) => e.http?.response?.status_code),
  'related.ip': f('ips', 'related_ip', (e) => e.related.ip),
  'related.user': f('keywords', 'related_user', (e) => e.related.user),
  'related.hosts': f('keywords', 'related_hosts', (e) => e.related.hosts),
  'trace.id': f('keyword', 'trace_id', (e) => e.trace?.id),
  'span.id': f('keyword', 'span_id', (e) => e.span?.id),
  'session.id': f('keyword', 'session_id', (e) => e.session?.id),
  'replay.id': f('keyword', 'replay_id', (e) => e.replay?.id),
}

/** Attribute keys are free: `attributes.attack.kind`; checked so the name alone can never reach SQL. */
export const attributeKeyPattern = /^[A-Za-z0-9_.:@-]{1,128}$/

/** The spec of `name`, including `attributes.<key>` (keyword on the attributes map). */
export function fieldSpec(name: string): FieldSpec | undefined {
  const known = securityFields[name]
  if (known) return known
  const attribute = /^(?:attributes|labels)\.(.+)$/.exec(name)?.[1]
  if (attribute === undefined || !attributeKeyPattern.test(attribute)) return undefined
  return {
    kind: 'keyword',
    column: 'attributes',
    attribute,
    get: (e) => {
      const value = e.attributes[attribute]
      return value === undefined ? undefined : String(value)
    },
  }
}
