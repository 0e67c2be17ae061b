/**
 * The security event: ECS-shaped, one JSON object per event. `normalizeSecurityEvent` is the edge
 * every intake passes (SDK envelope items, browser reports, the generic endpoint, Faultline's own
 * audit records): it validates, fills ECS defaults from the action, and bounds every field, so what
 * reaches the bus has one shape. Unknown fields are kept as flat `attributes`, not refused, so other
 * systems can send full ECS documents.
 */
import { randomUUID } from 'node:crypto'
import { isIP } from 'node:net'
import {
  actionDefaults,
  actionPattern,
  eventCategories,
  EventKinds,
  EventOutcomes,
  eventTypes,
  severityLevels,
  type EventCategory,
  type EventKind,
  type EventOutcome,
  type EventType,
  type SecurityDataset,
  type Severity,
} from './vocabulary'

export type AttributeValue = string | number | boolean

export interface SecurityEvent {
  '@timestamp': string
  event: {
    /** 32 lower-case hex digits, as Sentry event ids. */
    id: string
    kind: EventKind
    category: EventCategory[]
    type: EventType[]
    action: string
    outcome: EventOutcome
    severity: Severity
    dataset: SecurityDataset
    provider?: string
    reason?: string
  }
  message?: string
  source?: { ip?: string; port?: number; geo?: { country_iso_code?: string; country_name?: string } }
  user?: { id?: string; name?: string; email?: string; roles?: string[] }
  user_agent?: { original: string }
  url?: { original: string }
  http?: { request?: { method?: string }; response?: { status_code?: number } }
  related: { ip: string[]; user: string[]; hosts: string[] }
  trace?: { id: string }
  span?: { id: string }
  session?: { id: string }
  replay?: { id: string }
  attributes: Record<string, AttributeValue>
}

export const SecurityEventLimits = {
  shortString: 256,
  message: 8192,
  url: 4096,
  userAgent: 1024,
  attributeValue: 1024,
  attributes: 64,
  arrayItems: 32,
  /** Events dated further back than this, or ahead of the receiver's clock, are dated on receipt. */
  pastMs: 30 * 24 * 3600_000,
  futureMs: 5 * 60_000,
} as const

export interface NormalizeContext {
  receivedAt: number
  dataset: SecurityDataset
  /** The connection's address: `source.ip` when the event names none. */
  clientIp?: string
}

export type NormalizeResult = { ok: true; event: SecurityEvent } | { ok: false; reason: string }

class Invalid extends Error {}
const fail = (reason: string): never => {
  throw new Invalid(reason)
}

const known = new Set(['@timestamp', 'timestamp', 'event', 'message', 'source', 'client', 'user', 'user_agent', 'url', 'http', 'related', 'trace', 'span', 'session', 'replay', 'attributes', 'labels'])

export function normalizeSecurityEvent(input: unknown, context: NormalizeContext): NormalizeResult {
  try {
    if (!isRecord(input)) fail('a security event must be a JSON object')
    return { ok: true, event: normalize(expandDottedKeys(input as Record<string, unknown>), context) }
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: error.message }
    throw error
  }
}

function normalize(raw: Record<string, unknown>, context: NormalizeContext): SecurityEvent {
  const ev = optionalRecord(raw.event, 'event') ?? fail('event.action is required')
  const action = ev.action
  if (action === undefined || action === null || action === '') fail('event.action is required')
  if (typeof action !== 'string' || !actionPattern.test(action)) fail(`event.action must match ${actionPattern.source}`)
  const defaults = actionDefaults(action as string)
  const source = optionalRecord(raw.source, 'source') ?? optionalRecord(raw.client, 'client')
  const sourceIp = ip(source?.ip, 'source.ip') ?? ip(context.clientIp, 'client address')
  const user = optionalRecord(raw.user, 'user')
  const http = optionalRecord(raw.http, 'http')
  const related = optionalRecord(raw.related, 'related')
  const userOut = user && compact({ id: str(user.id, 'user.id'), name: str(user.name, 'user.name'), email: str(user.email, 'user.email'), roles: strings(user.roles, 'user.roles') })

  const event: SecurityEvent = {
    '@timestamp': timestamp(raw['@timestamp'] ?? raw.timestamp, context.receivedAt),
    event: compact({
      id: eventId(ev.id),
      kind: oneOf(ev.kind, Object.values(EventKinds), 'event.kind') ?? defaults.kind,
      category: listOf(ev.category, eventCategories, 'event.category') ?? defaults.category,
      type: listOf(ev.type, eventTypes, 'event.type') ?? defaults.type,
      action: action as string,
      outcome: oneOf(ev.outcome, Object.values(EventOutcomes), 'event.outcome') ?? defaults.outcome,
      severity: severity(ev.severity) ?? defaults.severity,
      dataset: context.dataset,
      provider: str(ev.provider, 'event.provider'),
      reason: str(ev.reason, 'event.reason', SecurityEventLimits.message),
    }),
    message: str(raw.message, 'message', SecurityEventLimits.message),
    source: sourceIp || source?.port !== undefined ? compact({ ip: sourceIp, port: port(source?.port) }) : undefined,
    user: userOut && Object.keys(userOut).length > 0 ? userOut : undefined,
    user_agent: wrap(str(original(raw.user_agent), 'user_agent.original', SecurityEventLimits.userAgent)),
    url: wrap(str(original(raw.url), 'url.original', SecurityEventLimits.url)),
    http: httpFields(http),
    related: {
      ip: unique([...(strings(related?.ip, 'related.ip') ?? []).map((value) => ip(value, 'related.ip')!), sourceIp]),
      user: unique([...(strings(related?.user, 'related.user') ?? []), userOut?.name, userOut?.id]),
      hosts: unique(strings(related?.hosts, 'related.hosts') ?? []),
    },
    trace: wrapId(raw.trace, 'trace.id'),
    span: wrapId(raw.span, 'span.id'),
    session: wrapId(raw.session, 'session.id'),
    replay: wrapId(raw.replay, 'replay.id'),
    attributes: attributes(raw),
  }
  return compact(event as unknown as Record<string, unknown>) as unknown as SecurityEvent
}

/** `{"event.action": "x"}` → `{event: {action: "x"}}`, at the top level and one level down. */
export function expandDottedKeys(input: Record<string, unknown>): Record<string, unknown> {
  if (!Object.keys(input).some((key) => key.includes('.'))) return input
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(input)) {
    const dot = key.indexOf('.')
    if (dot <= 0 || key === '@timestamp') {
      out[key] = isRecord(value) && isRecord(out[key]) ? { ...(out[key] as object), ...value } : value
      continue
    }
    const head = key.slice(0, dot)
    const rest = key.slice(dot + 1)
    const parent = isRecord(out[head]) ? (out[head] as Record<string, unknown>) : (out[head] = {}) as Record<string, unknown>
    if (rest.includes('.') && known.has(head)) {
      const [mid, ...tail] = rest.split('.')
      const child = isRecord(parent[mid!]) ? (parent[mid!] as Record<string, unknown>) : (parent[mid!] = {}) as Record<string, unknown>
      child[tail.join('.')] = value
    } else parent[rest] = value
  }
  return out
}

function attributes(raw: Record<string, unknown>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {}
  let count = 0
  const put = (key: string, value: unknown, depth: number): void => {
    if (count >= SecurityEventLimits.attributes || key.length > SecurityEventLimits.shortString) return
    if (typeof value === 'string') out[key] = value.slice(0, SecurityEventLimits.attributeValue)
    else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) out[key] = value
    else if (isRecord(value) && depth < 4) {
      for (const [k, v] of Object.entries(value)) put(`${key}.${k}`, v, depth + 1)
      return
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) out[key] = value.join(',').slice(0, SecurityEventLimits.attributeValue)
    else return
    count++
  }
  for (const name of ['attributes', 'labels']) {
    const bag = optionalRecord(raw[name], name)
    if (bag) for (const [k, v] of Object.entries(bag)) put(k, v, 1)
  }
  for (const [key, value] of Object.entries(raw)) if (!known.has(key)) put(key, value, 1)
  return out
}

function httpFields(http: Record<string, unknown> | undefined): SecurityEvent['http'] {
  if (!http) return undefined
  const request = optionalRecord(http.request, 'http.request')
  const response = optionalRecord(http.response, 'http.response')
  const method = str(request?.method, 'http.request.method', 16)?.toUpperCase()
  const status = response?.status_code
  if (status !== undefined && (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)) fail('http.response.status_code must be an HTTP status')
  const out = compact({ request: method ? { method } : undefined, response: status !== undefined ? { status_code: status as number } : undefined })
  return Object.keys(out).length > 0 ? out : undefined
}

function timestamp(value: unknown, receivedAt: number): string {
  let ms: number | undefined
  if (typeof value === 'number' && Number.isFinite(value)) ms = value < 1e11 ? value * 1000 : value
  else if (typeof value === 'string' && value !== '') {
    ms = Date.parse(value)
    if (Number.isNaN(ms)) fail('@timestamp is not a date')
  } else if (value !== undefined && value !== null) fail('@timestamp must be an ISO date or epoch seconds')
  if (ms === undefined || ms < receivedAt - SecurityEventLimits.pastMs || ms > receivedAt + SecurityEventLimits.futureMs) ms = receivedAt
  return new Date(Math.round(ms)).toISOString()
}

function eventId(value: unknown): string {
  if (value === undefined || value === null || value === '') return randomUUID().replaceAll('-', '')
  if (typeof value !== 'string') fail('event.id must be a string')
  const compactId = (value as string).replaceAll('-', '').toLowerCase()
  if (!/^[0-9a-f]{32}$/.test(compactId)) fail('event.id must be 32 hex digits or a UUID')
  return compactId
}

function severity(value: unknown): Severity | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'number' && Number.isFinite(value)) {
    // ECS numeric severity (0-100, as risk scores) on the five levels.
    return severityLevels[Math.min(4, Math.max(0, Math.floor(value / 21)))]
  }
  return oneOf(value, severityLevels, 'event.severity')
}

function ip(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') fail(`${field} must be an IP address`)
  let text = (value as string).trim()
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1)
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text)
  if (mapped) text = mapped[1]!
  if (isIP(text) === 0) fail(`${field} is not an IP address`)
  return text.toLowerCase()
}

function port(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) fail('source.port must be a port number')
  return value as number
}

function str(value: unknown, field: string, max: number = SecurityEventLimits.shortString): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (typeof value !== 'string') fail(`${field} must be a string`)
  const text = value as string
  return text === '' ? undefined : text.slice(0, max)
}

function strings(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined
  const list = Array.isArray(value) ? value : [value]
  if (list.length > SecurityEventLimits.arrayItems) fail(`${field} has more than ${SecurityEventLimits.arrayItems} values`)
  return list.map((item) => str(item, field) ?? fail(`${field} has an empty value`))
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) fail(`${field} must be one of ${allowed.join(', ')}`)
  return value as T
}

function listOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T[] | undefined {
  if (value === undefined || value === null) return undefined
  const list = Array.isArray(value) ? value : [value]
  if (list.length === 0) return undefined
  return unique(list.map((item) => oneOf(item, allowed, field)!)) as T[]
}

/** ECS `{original: "..."}`, or the bare string. */
function original(value: unknown): unknown {
  return isRecord(value) ? value.original : value
}

function wrap(value: string | undefined): { original: string } | undefined {
  return value === undefined ? undefined : { original: value }
}

function wrapId(value: unknown, field: string): { id: string } | undefined {
  const id = isRecord(value) ? value.id : value
  const text = str(id, field, 128)
  return text === undefined ? undefined : { id: text }
}

function optionalRecord(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined
  if (!isRecord(value)) fail(`${field} must be an object`)
  return value as Record<string, unknown>
}

function unique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined && v !== ''))].slice(0, SecurityEventLimits.arrayItems)
}

/**
 * A copy without the undefined fields. Copied rather than `delete`d: a deletion turns a V8 object
 * into a slow dictionary, and every event then pays for it in scrubbing and encoding.
 */
function compact<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {}
  for (const key in value) if (value[key] !== undefined) out[key] = value[key]
  return out as T
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
