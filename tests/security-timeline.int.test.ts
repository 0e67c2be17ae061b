/**
 * The security timeline API over a running Faultline: list with filters and cursors, search in
 * the query language with a histogram and columns, pivots with correlated errors, exports,
 * investigations, saved searches, rules with backtests; hostile input answered 4xx; searches audited.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFaultline, type TestFaultline } from './support/faultline'
import { sentryEvent } from './support/events'
import { seedSecurityEventsAndError } from './support/security-seed'

let fl: TestFaultline
const t0 = Date.now() - 30 * 60_000
const id = () => randomUUID().replaceAll('-', '')
const range = `startDate=${new Date(t0 - 60_000).toISOString()}&endDate=${new Date(Date.now() + 60_000).toISOString()}`

function events(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  // 12 failures from one IP within 6 s against alice, then her success; 5 denials from a scanner.
  for (let i = 0; i < 12; i++) out.push({ 'event.id': id(), 'event.action': 'authn_login_fail', '@timestamp': t0 + i * 500, 'source.ip': '203.0.113.50', 'user.name': 'alice', message: `bad password attempt ${i}` })
  out.push({ 'event.id': id(), 'event.action': 'authn_login_success', '@timestamp': t0 + 7_000, 'source.ip': '203.0.113.50', 'user.name': 'alice' })
  for (let i = 0; i < 5; i++) out.push({ 'event.id': id(), 'event.action': 'authz_fail', '@timestamp': t0 + 60_000 + i, 'source.ip': '198.51.100.9', 'user.name': 'svc-scan', 'event.severity': 'critical' })
  return out
}

beforeAll(async () => {
  fl = await startFaultline()
  const error = sentryEvent({ type: 'Error', value: 'boom after login', user: 'alice', timestamp: t0 + 8_000 })
  await seedSecurityEventsAndError(fl, events(), error, range)
}, 120_000)

afterAll(async () => {
  await fl?.stop()
})

describe('GET /projects/:id/security/events', () => {
  it('filters by severity and pages with cursors, newest first, without repeats', async () => {
    const critical = await fl.api('GET', `/projects/${fl.projectId}/security/events?${range}&severity=critical`)
    expect(critical.status).toBe(200)
    expect(critical.body.data.map((r: any) => r.event.event.action)).toEqual(Array(5).fill('authz_fail'))
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: { status: number; body: any } = await fl.api('GET', `/projects/${fl.projectId}/security/events?${range}&limit=4${cursor ? `&cursor=${cursor}` : ''}`)
      expect(page.status).toBe(200)
      seen.push(...page.body.data.map((r: any) => r['@timestamp'] + r.id))
      cursor = page.body.nextCursor
    } while (cursor)
    expect(seen).toHaveLength(18)
    expect(new Set(seen).size).toBe(18)
    expect([...seen].sort().reverse()).toEqual(seen)
  })

  it('combines action, user, source ip and q, with chosen columns', async () => {
    const result = await fl.api('GET', `/projects/${fl.projectId}/security/events?${range}&action=authn_login_fail&user=alice&sourceIp=203.0.113.0/24&q=${encodeURIComponent('message: "attempt 1"')}&columns=@timestamp,source.ip,user.name,source.geo.country_iso_code`)
    expect(result.status).toBe(200)
    expect(result.body.data).toHaveLength(3) // attempts 1, 10, 11
    expect(result.body.data[0].fields).toEqual({ '@timestamp': expect.any(String), 'source.ip': '203.0.113.50', 'user.name': 'alice', 'source.geo.country_iso_code': 'AU' })
  })
})

describe('POST /projects/:id/security/search', () => {
  it('answers the query language with a histogram, and is audited', async () => {
    const query = 'event.action: authn_login_fail and source.ip: 203.0.113.0/24 and not user.name: svc-*'
    const result = await fl.api('POST', `/projects/${fl.projectId}/security/search`, { query, startDate: new Date(t0 - 60_000).toISOString(), histogram: true, limit: 5 })
    expect(result.status).toBe(200)
    expect(result.body.data).toHaveLength(5)
    expect(result.body.nextCursor).toEqual(expect.any(String))
    expect(result.body.histogram.buckets.reduce((n: number, b: any) => n + b.count, 0)).toBe(12)
    expect(result.body.histogram.buckets.reduce((n: number, b: any) => n + b.failures, 0)).toBe(12)
    const audit = await fl.server.platform.audit.search({ action: 'sensitive_read', limit: 50 })
    expect(audit.some((d) => d.target?.type === 'security_events' && d.detail?.search === query)).toBe(true)
  })
})

describe('searches about one IP, user or session, or a narrow IP range', () => {
  const search = async (query: string, cursor?: string) => {
    const result = await fl.api('POST', `/projects/${fl.projectId}/security/search`, { query, startDate: new Date(t0 - 60_000).toISOString(), histogram: true, limit: 5, ...(cursor && { cursor }) })
    expect(result.status).toBe(200)
    return result.body as { data: { id: string }[]; nextCursor: string | null; histogram: { buckets: { count: number; failures: number }[] } }
  }
  const everything = async (query: string) => {
    const ids: string[] = []
    let page = await search(query)
    const histogram = page.histogram.buckets
    for (;;) {
      ids.push(...page.data.map((r) => r.id))
      if (!page.nextCursor) return { ids, count: histogram.reduce((n, b) => n + b.count, 0), failures: histogram.reduce((n, b) => n + b.failures, 0) }
      page = await search(query, page.nextCursor)
    }
  }

  it('read the entity rows (a key range of security_entities) and find, page and count what the events give', async () => {
    // Each pair: a query naming one entity or a narrow IP range (read from security_entities) and one
    // meaning the same here that names none (a wildcard, or an OR of different keys: read from security_events).
    const pairs = [
      ['user.name: alice', 'user.name: alic*'],
      ['source.ip: 203.0.113.50 and event.action: authn_login_fail', '(source.ip: 203.0.113.50 or source.ip: 203.0.113.51) and event.action: authn_login_fail'],
      ['source.ip: 203.0.113.0/24', 'source.ip: 203.0.113.0/25 or source.ip: 203.0.113.128/25'],
      ['(related.user: svc-scan or user.name: svc-scan) and not message: nothing', 'user.name: svc-sca?'],
    ]
    for (const [entity, scan] of pairs) {
      const [viaEntity, viaEvents] = [await everything(entity!), await everything(scan!)]
      expect(viaEntity.ids.length).toBeGreaterThan(4)
      expect(new Set(viaEntity.ids).size).toBe(viaEntity.ids.length)
      expect(viaEntity).toEqual(viaEvents)
    }
    // Copies of entity rows (the writer fills them again for a redelivered batch) neither repeat nor count twice.
    const { client, database } = fl.server.platform.eventStore
    await client.command({ query: `INSERT INTO ${database}.security_entities SELECT * FROM ${database}.security_entities WHERE entity = 'alice'` })
    expect(await everything('user.name: alice')).toEqual(await everything('user.name: alic*'))
  })
})

describe('histograms', () => {
  const histogram = async (query: string, startDate: number, endDate = Date.now() + 60_000) => {
    const result = await fl.api('POST', `/projects/${fl.projectId}/security/search`, { query, startDate, endDate, histogram: true, limit: 1 })
    expect(result.status).toBe(200)
    const buckets = result.body.histogram.buckets as { count: number; failures: number }[]
    return { source: result.body.histogram.source, count: buckets.reduce((n, b) => n + b.count, 0), failures: buckets.reduce((n, b) => n + b.failures, 0) }
  }

  it('counts action and outcome queries from the rollup and exactly at edges inside a minute, as the events count them', async () => {
    // Starting mid-burst (failures 4..11 remain, at t0 + 2 s .. t0 + 5.5 s) and ending before the success at t0 + 7 s:
    // the range's edges cut minutes, whose events are counted one by one.
    const from = t0 + 2_000
    const to = t0 + 6_000 + 3 * 3600_000
    expect(await histogram('event.action: authn_login_fail', from, to)).toEqual({ source: 'rollup', count: 8, failures: 8 })
    expect(await histogram('event.action: authn_login_fail and message: attempt', from, to)).toEqual({ source: 'events', count: 8, failures: 8 })
    expect(await histogram('event.outcome: failure or event.action: authn_login_success', t0 - 60_000, t0 + 3 * 3600_000)).toEqual({ source: 'rollup', count: 18, failures: 17 })
    expect(await histogram('', t0 + 6_999, t0 + 7_001 + 3 * 3600_000)).toEqual({ source: 'rollup', count: 6, failures: 5 })
  })
})

describe('GET /projects/:id/security/pivot', () => {
  it('pivots from an IP to the users it touched and their errors', async () => {
    const result = await fl.api('GET', `/projects/${fl.projectId}/security/pivot?field=ip&value=203.0.113.50&${range}`)
    expect(result.status).toBe(200)
    expect(result.body).toMatchObject({ events: 13, users: [{ value: 'alice', count: 13 }], ips: [{ value: '203.0.113.50', country: 'AU', count: 13 }] })
    expect(result.body.actions).toEqual(expect.arrayContaining([{ action: 'authn_login_fail', outcome: 'failure', count: 12 }]))
    expect(result.body.errors).toMatchObject([{ title: expect.stringContaining('boom after login'), user: 'alice' }])
  })

  it('pivots on a CIDR range and on a user, from the entity table the writer fills', async () => {
    const cidr = await fl.api('GET', `/projects/${fl.projectId}/security/pivot?field=ip&value=${encodeURIComponent('203.0.113.0/24')}&${range}`)
    expect(cidr.status).toBe(200)
    expect(cidr.body).toMatchObject({ events: 13, users: [{ value: 'alice', count: 13 }] })
    expect(cidr.body.recent).toHaveLength(13)
    expect(cidr.body.recent[0].event.event.action).toBe('authn_login_success')
    const user = await fl.api('GET', `/projects/${fl.projectId}/security/pivot?field=user&value=svc-scan&${range}`)
    expect(user.body).toMatchObject({ events: 5, actions: [{ action: 'authz_fail', outcome: 'failure', count: 5 }], ips: [{ value: '198.51.100.9', count: 5 }] })
    const outside = await fl.api('GET', `/projects/${fl.projectId}/security/pivot?field=ip&value=203.0.114.0/24&${range}`)
    expect(outside.body).toMatchObject({ events: 0, firstSeen: null, recent: [] })
  })
})

describe('exports', () => {
  it('streams NDJSON and CSV, formulas defused', async () => {
    const ndjson = await fetch(`${fl.url}/api/v1/projects/${fl.projectId}/security/export?${range}&q=${encodeURIComponent('user.name: svc-scan')}`, { headers: { authorization: `Bearer ${fl.apiToken}` } })
    expect(ndjson.headers.get('content-type')).toContain('application/x-ndjson')
    const lines = (await ndjson.text()).trim().split('\n').map((l) => JSON.parse(l))
    expect(lines).toHaveLength(5)
    expect(lines[0].user.name).toBe('svc-scan')
    const csv = await (await fetch(`${fl.url}/api/v1/projects/${fl.projectId}/security/export?format=csv&${range}&columns=event.action,user.name,message&q=${encodeURIComponent('message: "attempt 3"')}`, { headers: { authorization: `Bearer ${fl.apiToken}` } })).text()
    expect(csv.trim().split('\n')).toEqual(['event.action,user.name,message', 'authn_login_fail,alice,bad password attempt 3'])
  })
})

describe('rules, detections and backtests', () => {
  it('lists the built-in pack, refuses a bad rule with its line, saves, switches and backtests one', async () => {
    const rules = await fl.api('GET', `/projects/${fl.projectId}/security/rules`)
    expect(rules.body.data.map((r: any) => r.id)).toContain('brute-force-single-ip')
    const bad = await fl.api('PUT', `/projects/${fl.projectId}/security/rules/mine`, { source: 'id: mine\nkind: threshold\nwhere: "nope: 1"\nwindow: 10s\nthreshold: 3' })
    expect(bad.status).toBe(422)
    expect(bad.body.detail).toContain('line 3')
    const source = "id: mine\nname: Three failures\nkind: threshold\nwhere: 'event.action: authn_login_fail'\ngroup_by: [user.name]\nwindow: 10s\nthreshold: 3\nsuppress: 1s"
    expect((await fl.api('PUT', `/projects/${fl.projectId}/security/rules/mine`, { source })).status).toBe(200)
    expect((await fl.api('PATCH', `/projects/${fl.projectId}/security/rules/mine`, { enabled: false })).body).toEqual({ id: 'mine', enabled: false })
    const backtest = await fl.api('POST', `/projects/${fl.projectId}/security/rules/backtest`, { source, startDate: t0 - 60_000 })
    expect(backtest.status).toBe(200)
    expect(backtest.body).toMatchObject({ rule: 'mine', eventsScanned: 12, detections: 5 })
    expect((await fl.api('DELETE', `/projects/${fl.projectId}/security/rules/mine`)).status).toBe(204)
  })

  it('found the brute force and the success after failures while streaming', async () => {
    const found = await fl.waitFor(async () => {
      const result = await fl.api('GET', `/projects/${fl.projectId}/security/detections?${range}`)
      const ids = result.body.data.map((d: any) => d.ruleId).sort()
      return ids.includes('brute-force-single-ip') && ids.includes('success-after-failures') && ids
    })
    expect(found.filter((r: string) => r === 'brute-force-single-ip')).toHaveLength(1)
  })
})

describe('investigations and saved searches', () => {
  it('pins events and keeps notes', async () => {
    const [first] = (await fl.api('GET', `/projects/${fl.projectId}/security/events?${range}&limit=1`)).body.data
    const created = await fl.api('POST', `/projects/${fl.projectId}/security/investigations`, { title: 'Alice brute force', pinned: [first.id] })
    expect(created.status).toBe(201)
    const changed = await fl.api('PATCH', `/projects/${fl.projectId}/security/investigations/${created.body._id}`, { note: 'Blocked 203.0.113.50 at the edge', status: 'closed' })
    expect(changed.body).toMatchObject({ status: 'closed', pinned: [{ eventId: first.id }], notes: [{ text: 'Blocked 203.0.113.50 at the edge' }] })
    expect((await fl.api('GET', `/projects/${fl.projectId}/security/investigations/${randomUUID()}`)).status).toBe(404)
    const saved = await fl.api('POST', `/projects/${fl.projectId}/security/saved-searches`, { name: 'scanner', query: 'user.name: svc-*', columns: ['source.ip'] })
    expect(saved.status).toBe(201)
    expect((await fl.api('GET', `/projects/${fl.projectId}/security/saved-searches`)).body.data).toHaveLength(1)
  })
})

describe('hostile input', () => {
  it.each([
    `/security/events?q=${encodeURIComponent('user.name: (a')}`,
    `/security/events?q=${encodeURIComponent('nope: 1')}`,
    `/security/events?q=${encodeURIComponent('source.ip: 1.2.3.4/99')}`,
    `/security/events?cursor=${Buffer.from('["x","y"]').toString('base64url')}`,
    `/security/events?cursor=%00%00`,
    `/security/events?limit=100000`,
    `/security/events?severity=urgent`,
    `/security/events?startDate=yesterday`,
    `/security/events?startDate=2026-01-02T00:00:00Z&endDate=2026-01-01T00:00:00Z`,
    `/security/events?columns=${encodeURIComponent("user.name,1;DROP TABLE x")}`,
    `/security/events?sourceIp=${encodeURIComponent("1' OR 1=1 --")}`,
    `/security/events?unknown=1`,
    `/security/pivot?field=password&value=x`,
    `/security/export?format=xml`,
    `/security/investigations/not-a-uuid`,
  ])('answers %s with 400', async (path) => {
    const result = await fl.api('GET', `/projects/${fl.projectId}${path}`)
    expect(result.status).toBe(400)
  })

  it('takes injection in values literally', async () => {
    for (const q of ["user.name: \"alice' OR '1'='1\"", 'message: "%\') OR 1=1 --"', 'attributes.x: "]) OR 1"']) {
      const result = await fl.api('GET', `/projects/${fl.projectId}/security/events?${range}&q=${encodeURIComponent(q)}`)
      expect(result.status).toBe(200)
      expect(result.body.data).toEqual([])
    }
  })

  it('refuses bodies that do not validate', async () => {
    expect((await fl.api('POST', `/projects/${fl.projectId}/security/search`, { query: 'x', limit: 'all' })).status).toBe(400)
    expect((await fl.api('POST', `/projects/${fl.projectId}/security/rules/backtest`, { source: 'kind: [' })).status).toBe(422)
  })
})
