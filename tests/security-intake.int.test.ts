/**
 * Security events through a running Faultline: envelope `security` items, browser reports in the
 * three forms, and the generic NDJSON endpoint reach `security_events` validated, scrubbed and
 * geolocated; bad input is answered 4xx with a reason and stores nothing.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toUuid } from '@faultline/core/schema'
import { startFaultline, type TestFaultline } from './support/faultline'

let fl: TestFaultline

beforeAll(async () => {
  fl = await startFaultline()
}, 120_000)

afterAll(async () => {
  await fl?.stop()
})

const id = () => randomUUID().replaceAll('-', '')

function post(path: string, body: string, contentType: string, auth = true): Promise<Response> {
  const url = `${fl.url}/api/${fl.projectId}/${path}${auth ? `?sentry_key=${fl.publicKey}` : ''}`
  return fetch(url, { method: 'POST', headers: { 'content-type': contentType, 'user-agent': 'Mozilla/5.0 test' }, body })
}

interface Row {
  id: string
  action: string
  dataset: string
  source_ip: string
  geo_country_iso_code: string
  geo_country_name: string
  user_email: string
  message: string
  url: string
  attributes: Record<string, string>
}

async function rows(where: string, params: Record<string, unknown>, count: number): Promise<Row[]> {
  const { client, database } = fl.server.platform.eventStore
  return fl.waitFor(async () => {
    const result = await client.query({
      query: `SELECT replaceAll(toString(event_id), '-', '') AS id, action, dataset, toString(source_ip) AS source_ip, geo_country_iso_code,
        geo_country_name, user_email, message, url, attributes FROM ${database}.security_events WHERE project_id = {project:UInt64} AND ${where} ORDER BY timestamp`,
      query_params: { project: Number(fl.projectId), ...params },
      format: 'JSONEachRow',
    })
    const found = await result.json<Row>()
    return found.length >= count ? found : undefined
  })
}

describe('security intake', () => {
  it('stores envelope security items scrubbed and geolocated, idempotently on event id', async () => {
    const [a, b] = [id(), id()]
    const items = [
      { event: { id: a, action: 'authn_login_fail' }, source: { ip: '8.8.8.8' }, user: { name: 'alice', email: 'alice@example.com' }, attributes: { password: 'hunter2', route: '/login' } },
      { event: { id: b, action: 'authn_login_success' }, source: { ip: '81.2.69.142' }, message: 'login with token=abcdef0123456789abcdef' },
    ]
    const envelope = [JSON.stringify({ dsn: fl.dsn }), ...items.flatMap((item) => [JSON.stringify({ type: 'security' }), JSON.stringify(item)])].join('\n')
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${fl.url}/api/${fl.projectId}/envelope/`, { method: 'POST', body: envelope })
      expect(response.status).toBe(200)
    }
    const stored = await rows('event_id IN {ids:Array(UUID)}', { ids: [a, b].map(toUuid) }, 2)
    expect(stored).toHaveLength(2)
    const [fail, success] = stored.sort((x, y) => x.action.localeCompare(y.action))
    expect(fail).toMatchObject({ id: a, dataset: 'app', source_ip: '::ffff:8.8.8.8', geo_country_iso_code: 'US', geo_country_name: 'United States' })
    expect(fail!.user_email).toMatch(/^email:[0-9a-f]{12}$/)
    expect(fail!.attributes).toEqual({ password: '[Filtered]', route: '/login' })
    expect(success).toMatchObject({ geo_country_iso_code: 'GB' })
    expect(success!.message).not.toContain('abcdef0123456789abcdef')
  })

  it('turns report-uri, report-to and Sentry security forms into security events only', async () => {
    // A path of letters only: hex or digit runs may be filtered by the default scrubbing rules as possible tokens.
    const marker = `https://app.example/report-${id().replace(/[0-9]/g, '').slice(0, 12)}`
    const csp = { 'csp-report': { 'document-uri': marker, 'violated-directive': 'script-src-elem', 'effective-directive': 'script-src-elem', 'blocked-uri': 'https://evil.example/x.js', disposition: 'enforce', 'original-policy': "script-src 'self'" } }
    expect((await post('security/', JSON.stringify(csp), 'application/csp-report')).status).toBe(201)
    const reports = [
      { type: 'csp-violation', age: 10, url: marker, user_agent: 'Chrome', body: { documentURL: marker, effectiveDirective: 'img-src', blockedURL: 'https://tracker.example/p.gif', disposition: 'report' } },
      { type: 'deprecation', age: 0, url: marker, body: { id: 'x', message: 'old API' } },
    ]
    expect((await post('security', JSON.stringify(reports), 'application/reports+json')).status).toBe(201)
    const expectCt = { 'expect-ct-report': { 'date-time': new Date().toISOString(), hostname: 'app.example', port: 443 } }
    expect((await post('security/', JSON.stringify(expectCt), 'application/json')).status).toBe(201)
    const stored = await rows("(url = {url:String} OR action = 'expect_ct_failure')", { url: marker }, 3)
    expect(stored.map((r) => [r.action, r.dataset]).sort()).toEqual([['csp_violation', 'csp'], ['csp_violation', 'reporting'], ['expect_ct_failure', 'sentry_security']])
    expect(stored.map((r) => r.message).sort()).toContain("Blocked script-src-elem from https://evil.example/x.js")
    const errors = await fl.api('GET', `/projects/${fl.projectId}/issues`)
    expect(errors.body.data).toEqual([])
  })

  it('accepts NDJSON from other systems with a project key', async () => {
    const ids = [id(), id(), id()]
    const body = ids.map((eventId) => JSON.stringify({ 'event.id': eventId, 'event.action': 'authz_fail', 'user.name': 'svc-batch', 'source.ip': '2001:4860:4860::8888' })).join('\n')
    const response = await post('security/events/', body, 'application/x-ndjson')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ accepted: 3 })
    const stored = await rows('event_id IN {ids:Array(UUID)}', { ids: ids.map(toUuid) }, 3)
    expect(stored.every((r) => r.dataset === 'generic' && r.geo_country_iso_code === 'US' && r.source_ip === '2001:4860:4860::8888')).toBe(true)
  })

  it.each([
    ['security/', '{"csp-report": {"document-uri": "https://a.example"}}', 'application/csp-report', 400, 'directive'],
    ['security/', '{"csp-report": "nope"}', 'application/csp-report', 400, 'csp-report must be an object'],
    ['security/', '{"csp-report": {', 'application/csp-report', 400, 'JSON'],
    ['security/', '[{"type": "csp-violation"}]', 'application/reports+json', 400, 'needs a type and a body'],
    ['security/', '[{"type": "made-up", "body": {}}]', 'application/reports+json', 400, 'unknown type'],
    ['security/', '{"hello": 1}', 'application/json', 400, 'not a CSP'],
    ['security/', 'x', 'text/plain', 415, 'Send security reports as'],
    ['security/events/', '{"event": {"action": "DROP TABLE"}}', 'application/json', 400, 'event.action must match'],
    ['security/events/', '{"event": {"action": "x"}}\n{"event": {}}', 'application/x-ndjson', 400, 'Security event 1: event.action is required'],
    ['security/events/', '', 'application/x-ndjson', 400, 'no security event'],
  ])('answers %s %j (%s) with %i', async (path, body, type, status, reason) => {
    const response = await post(path, body, type)
    expect(response.status).toBe(status)
    expect(response.headers.get('content-type')).toContain('application/problem+json')
    expect(JSON.stringify(await response.json())).toContain(reason)
  })

  it('refuses requests without a project key', async () => {
    const response = await post('security/events/', '{"event": {"action": "x"}}', 'application/json', false)
    expect(response.status).toBe(401)
  })
})
