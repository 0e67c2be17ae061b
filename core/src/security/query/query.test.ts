/**
 * The query language: parse errors with reasons, and the same answer from the in-memory matcher
 * and from the compiled, parameterized SQL run on chDB over the same events.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyEventStoreMigrations, createEventStore, type EventStore } from '../../event-store'
import { toUuid } from '../../schema'
import { normalizeSecurityEvent, type SecurityEvent } from '../security-event'
import { severityRank } from '../vocabulary'
import { matchesQuery, parseSecurityQuery, queryToSql } from '.'

const receivedAt = Date.now() - 60_000
const raw = [
  { id: 'a', 'event.action': 'authn_login_fail', 'source.ip': '203.0.113.7', 'user.name': 'alice', message: 'Bad password for alice', 'attributes.attack.kind': 'none' },
  { id: 'b', 'event.action': 'authn_login_fail', 'source.ip': '203.0.113.200', 'user.name': 'svc-backup', message: 'Timeout talking to LDAP' },
  { id: 'c', 'event.action': 'authn_login_success', 'source.ip': '198.51.100.1', 'user.name': 'alice', 'http.response.status_code': 200 },
  { id: 'd', 'event.action': 'authz_fail', 'source.ip': '2001:db8::5', 'user.name': 'bob', 'http.response.status_code': 403, 'event.severity': 'critical', 'related.ip': ['10.1.2.3'] },
  { id: 'e', 'event.action': 'input_validation_fail', 'source.ip': '203.0.112.9', 'url.original': '/search?q=%27or', 'attributes.attack.kind': 'sql_injection' },
]
const events: SecurityEvent[] = raw.map(({ id, ...fields }, i) => {
  const result = normalizeSecurityEvent({ ...fields, 'event.id': id.repeat(32) }, { receivedAt: receivedAt + i, dataset: 'app' })
  if (!result.ok) throw new Error(result.reason)
  return result.event
})
const idOf = (e: SecurityEvent) => e.event.id[0]!

const cases: [string, string][] = [
  ['event.action: authn_login_fail and source.ip: 203.0.113.0/24 and not user.name: svc-*', 'a'],
  ['event.action: (authn_login_fail or authz_fail)', 'abd'],
  ['user.name: alice or user.name: bob', 'acd'],
  ['source.ip: 2001:db8::/32', 'd'],
  ['source.ip: 203.0.113.7', 'a'],
  ['related.ip: 10.0.0.0/8', 'd'],
  ['related.user: ali*', 'ac'],
  ['http.response.status_code >= 300', 'd'],
  ['event.severity >= high', 'd'],
  ['event.severity: medium', 'abe'],
  ['message: timeout', 'b'],
  ['message: "bad PASSWORD"', 'a'],
  ['password', 'a'],
  ['attributes.attack.kind: sql_injection', 'e'],
  ['event.category: authentication and event.outcome: success', 'c'],
  ['not (event.action: authn_login_fail or event.action: authn_login_success)', 'de'],
  ['user.name: "svc-*"', ''],
  ['', 'abcde'],
]

describe('parseSecurityQuery', () => {
  it.each([
    ['user.name:', 'user.name has no value'],
    ['nope: 1', 'unknown field "nope"'],
    ['source.ip: 300.1.1.1', 'is not an IP address or CIDR range'],
    ['source.ip: 10.0.0.0/33', 'is not an IP address or CIDR range'],
    ['http.response.status_code: abc', 'is not a whole number'],
    ['event.severity >= extreme', 'is not a severity'],
    ['user.name > bob', 'cannot be compared with >'],
    ['(user.name: a', 'expected ")"'],
    ['user.name: "a', 'not closed'],
    ['and', 'where a term was expected'],
    ['user.name: a and', 'ends where a term was expected'],
    ["attributes.x'y: 1", 'unknown field'],
    ['x'.repeat(2001), 'longer than 2000'],
    [Array.from({ length: 65 }, (_, i) => `user.name: u${i}`).join(' or '), 'more than 64 terms'],
    ['not '.repeat(17) + 'a', 'nests deeper than 16'],
    ['('.repeat(40) + 'a' + ')'.repeat(40), 'nests deeper than 16'],
  ])('refuses %j', (query, reason) => {
    const result = parseSecurityQuery(query)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.reason).toContain(reason)
  })
})

describe('matchesQuery and queryToSql agree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-query-'))
  let store: EventStore
  beforeAll(async () => {
    store = await createEventStore({ user: 'default', password: '', database: 'faultline_query', chdbPath: dir })
    await applyEventStoreMigrations(store)
    await store.client.insert({
      table: `${store.database}.security_events`,
      format: 'JSONEachRow',
      values: events.map((e) => ({
        project_id: 1,
        timestamp: Date.parse(e['@timestamp']),
        received_at: receivedAt,
        event_id: toUuid(e.event.id),
        action: e.event.action,
        outcome: e.event.outcome,
        category: e.event.category,
        severity: severityRank(e.event.severity),
        message: e.message ?? '',
        url: e.url?.original ?? '',
        source_ip: e.source?.ip?.includes(':') ? e.source.ip : `::ffff:${e.source?.ip}`,
        user_name: e.user?.name ?? '',
        http_status: e.http?.response?.status_code ?? 0,
        related_ip: e.related.ip,
        related_user: e.related.user,
        attributes: Object.fromEntries(Object.entries(e.attributes).map(([k, v]) => [k, String(v)])),
      })),
    })
  }, 60_000)
  afterAll(async () => {
    await store?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it.each(cases)('%j finds %j', async (text, expected) => {
    const parsed = parseSecurityQuery(text)
    if (!parsed.ok) throw new Error(parsed.reason)
    expect(events.filter((e) => matchesQuery(parsed.query, e)).map(idOf).join('')).toBe(expected)
    const { sql, params } = queryToSql(parsed.query)
    expect(sql).not.toMatch(/alice|bob|203\.0|svc|timeout|password|sql_injection/i)
    const result = await store.client.query({
      query: `SELECT substring(replaceAll(toString(event_id), '-', ''), 1, 1) AS id FROM ${store.database}.security_events WHERE project_id = 1 AND ${sql} ORDER BY timestamp`,
      query_params: params,
      format: 'JSONEachRow',
    })
    expect((await result.json<{ id: string }>()).map((r) => r.id).join('')).toBe(expected)
  })
})
