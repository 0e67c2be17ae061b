/**
 * The security analyst's reads over a running Faultline: one event in full (ECS document, geo,
 * related, links to trace/span/session/replay with the events sharing them, the errors of the same
 * trace), field-value autocomplete, hostile input answered 4xx, and the OpenAPI response schema of
 * every security read checked against these live answers.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import { createApiToken } from '@faultline/core/accounts'
import { createProject } from '@faultline/core/projects'
import { permissionsOf } from '@faultline/api'
import { shapeProblems, type PublishedDocument } from '../api/src/openapi-conformance'
import { securityRoutes } from '../api/src/routes/security'
import { startFaultline, type TestFaultline } from './support/faultline'
import { sentryEvent } from './support/events'
import { seedSecurityEventsAndError } from './support/security-seed'

let fl: TestFaultline
const t0 = Date.now() - 10 * 60_000
const id = () => randomUUID().replaceAll('-', '')
const traceId = id()
const probeId = id()
const range = `startDate=${new Date(t0 - 60_000).toISOString()}&endDate=${new Date(Date.now() + 60_000).toISOString()}`
const project = () => `/projects/${fl.projectId}/security`

function events(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (let i = 0; i < 4; i++) out.push({ 'event.id': id(), 'event.action': 'authn_login_fail', '@timestamp': t0 + i * 1000, 'source.ip': '203.0.113.50', 'user.name': i < 3 ? 'alice' : 'alfred', 'session.id': 'sess-1', 'trace.id': traceId })
  out.push({
    'event.id': probeId, 'event.action': 'input_validation_fail', '@timestamp': t0 + 5_000, 'source.ip': '203.0.113.50', 'source.port': 51234, 'user.name': 'alice', 'user.id': 'u-1',
    'session.id': 'sess-1', 'trace.id': traceId, 'span.id': '00f067aa0ba902b7', 'replay.id': id(), 'url.original': '/search?q=%27%20or%201=1', 'http.request.method': 'GET', 'http.response.status_code': 400,
    'related.ip': ['10.0.0.8'], message: 'SQL injection pattern in q', attributes: { 'attack.kind': 'sqli' },
  })
  out.push({ 'event.id': id(), 'event.action': 'authz_fail', '@timestamp': t0 + 6_000, 'source.ip': '198.51.100.9', 'user.name': 'bob', 'event.severity': 'critical' })
  return out
}

beforeAll(async () => {
  fl = await startFaultline()
  const error: Record<string, unknown> = { ...sentryEvent({ type: 'Error', value: 'query failed', user: 'alice', timestamp: t0 + 5_500 }), contexts: { trace: { trace_id: traceId, span_id: '00f067aa0ba902b7' } } }
  await seedSecurityEventsAndError(fl, events(), error, range)
}, 120_000)

afterAll(async () => {
  await fl?.stop()
})

describe('GET /projects/:id/security/events/:eventId', () => {
  it('answers the event in full with its geo, related values, links and the errors of its trace, and audits the read', async () => {
    const detail = await fl.api('GET', `${project()}/events/${probeId}`)
    expect(detail.status).toBe(200)
    expect(detail.body.event).toMatchObject({
      event: { id: probeId, action: 'input_validation_fail' },
      source: { ip: '203.0.113.50', port: 51234, geo: { country_iso_code: 'AU' } },
      related: { ip: expect.arrayContaining(['203.0.113.50', '10.0.0.8']), user: expect.arrayContaining(['alice', 'u-1']) },
      attributes: { 'attack.kind': 'sqli' },
    })
    const links = Object.fromEntries(detail.body.links.map((l: { field: string; securityEvents: number }) => [l.field, l.securityEvents]))
    expect(links).toEqual({ 'trace.id': 5, 'span.id': 1, 'session.id': 5, 'replay.id': 1 })
    await fl.waitFor(async () => (await fl.api('GET', `${project()}/events/${probeId}`)).body.errors?.length === 1)
    expect((await fl.api('GET', `${project()}/events/${probeId}`)).body.errors).toMatchObject([{ title: expect.stringContaining('query failed'), via: 'trace.id' }])
    const audit = await fl.server.platform.audit.search({ action: 'sensitive_read', limit: 50 })
    expect(audit.some((d) => d.target?.id === fl.projectId && d.detail?.event === probeId)).toBe(true)
  })

  it("answers 404 for an event of another project of the same organization, to a caller who may read both", async () => {
    const orgId = (await fl.server.platform.projects.projects.get(fl.projectId))!.orgId
    const other = (await createProject(fl.server.platform.projects, orgId, 'Other')).project._id
    const { token } = await createApiToken(fl.server.platform.accounts.tokens, { kind: 'org', orgId, name: 'both projects', scopes: permissionsOf('admin') })
    const both = fl.apiAs(token)
    expect((await both('GET', `${project()}/events/${probeId}`)).status).toBe(200)
    const elsewhere = await both('GET', `/projects/${other}/security/events/${probeId}`)
    expect(elsewhere.status).toBe(404)
    expect(elsewhere.body.detail).toContain(`No security event ${probeId} in project ${other}`)
  })

  it('answers 404 with a reason for an id it does not hold, and 400 for one that is not an id', async () => {
    const absent = await fl.api('GET', `${project()}/events/${id()}`)
    expect(absent.status).toBe(404)
    expect(absent.body.detail).toContain('No security event')
    const bad = await fl.api('GET', `${project()}/events/${encodeURIComponent("1' OR 1=1 --")}`)
    expect(bad.status).toBe(400)
    expect(bad.body.detail).toContain('32 hex digits')
  })
})

describe('GET /projects/:id/security/field-values', () => {
  it('answers the top values of a field for a prefix, with counts, case-insensitively', async () => {
    const users = await fl.api('GET', `${project()}/field-values?field=user.name&prefix=AL&${range}`)
    expect(users.status).toBe(200)
    expect(users.body).toEqual({ field: 'user.name', values: [{ value: 'alice', count: 4 }, { value: 'alfred', count: 1 }] })
    const limited = await fl.api('GET', `${project()}/field-values?field=user.name&${range}&limit=1`)
    expect(limited.body.values).toEqual([{ value: 'alice', count: 4 }])
  })

  it('reads arrays, IPs, numbers, severities and attributes as the language writes them', async () => {
    const values = async (field: string, prefix = '') => (await fl.api('GET', `${project()}/field-values?field=${encodeURIComponent(field)}&prefix=${encodeURIComponent(prefix)}&${range}`)).body.values
    expect(await values('source.ip')).toEqual([{ value: '203.0.113.50', count: 5 }, { value: '198.51.100.9', count: 1 }])
    expect(await values('related.ip', '10.')).toEqual([{ value: '10.0.0.8', count: 1 }])
    expect(await values('http.response.status_code')).toEqual([{ value: '400', count: 1 }])
    expect(await values('event.severity', 'crit')).toEqual([{ value: 'critical', count: 1 }])
    expect(await values('attributes.attack.kind')).toEqual([{ value: 'sqli', count: 1 }])
    expect(await values('event.action', 'authz')).toEqual([{ value: 'authz_fail', count: 1 }])
  })

  it('defaults to the last 24 hours, and answers hostile input with 400 and a reason', async () => {
    expect((await fl.api('GET', `${project()}/field-values?field=event.outcome`)).body.values).toEqual([{ value: 'failure', count: 6 }])
    for (const [query, reason] of [
      ['field=payload', 'Unknown field'],
      ['field=attributes.x%27%5D%20OR%201%3D1', 'Unknown field'],
      ['field=user.name&limit=100000', 'limit'],
      [`field=user.name&prefix=${'a'.repeat(300)}`, 'prefix'],
      ['field=user.name&startDate=2020-01-01T00:00:00Z&endDate=2026-01-01T00:00:00Z', 'at most 400 days'],
      ['field=user.name&sql=1', 'sql'],
    ]) {
      const answer = await fl.api('GET', `${project()}/field-values?${query}`)
      expect(answer.status, query).toBe(400)
      expect(answer.body.detail, query).toContain(reason)
    }
  })
})

describe('OpenAPI response schemas of the security reads', () => {
  it('match what the routes answer', async () => {
    const doc = (await fl.api('GET', '/openapi.json')).body as PublishedDocument
    const rule = "id: mine\nname: Three failures\nkind: threshold\nwhere: 'event.action: authn_login_fail'\ngroup_by: [source.ip]\nwindow: 10s\nthreshold: 3"
    const routes = securityRoutes(fl.server.platform) as unknown as Hono
    const request = async (method: string, path: string, body?: unknown) => ({ ...(await fl.api(method, path, body)), headers: new Headers() })
    const problems = await shapeProblems(routes, doc, request, [
      ['GET', `${project()}/events?${range}`],
      ['GET', `${project()}/events?${range}&columns=@timestamp,event.severity,related.ip,source.port,user.name`],
      ['POST', `${project()}/search`, { query: 'user.name: al*', startDate: t0 - 60_000, histogram: true, limit: 2 }],
      ['GET', `${project()}/pivot?field=ip&value=203.0.113.50&${range}`],
      ['GET', `${project()}/events/${probeId}`],
      ['GET', `${project()}/field-values?field=user.name&${range}`],
      ['POST', `${project()}/rules/backtest`, { source: rule, startDate: t0 - 60_000 }],
    ])
    expect(problems).toEqual([])
  })
})
