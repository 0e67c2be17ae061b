/**
 * A scripted attack replayed through sdk-node into a running Faultline: credential stuffing from
 * many addresses, a brute force from one, impossible travel between two geolocated addresses,
 * injection probes against an app guarded by the security middleware, and a CSP violation from
 * headless Chromium loading a page with a strict policy. Asserts the detections, prints their
 * latency (the target is checked by `npm run bench -- security`), and the timeline queries that
 * find them.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { close, flush, init, recordSecurityEvent, securityHono } from '@faultline/sdk-node'
import { startFaultline, type TestFaultline } from './support/faultline'

let fl: TestFaultline
let browser: Browser | undefined
const started = Date.now()
const range = () => `startDate=${started - 60 * 60_000}&endDate=${Date.now() + 60_000}`

beforeAll(async () => {
  fl = await startFaultline()
  init({ dsn: fl.dsn, globalHandlers: false, clientReportDelayMs: 60_000 })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await close(2000)
  await fl?.stop()
})

async function detections(): Promise<any[]> {
  return (await fl.api('GET', `/projects/${fl.projectId}/security/detections?${range()}&limit=500`)).body.data
}

async function waitForRule(ruleId: string, check: (d: any) => boolean = () => true): Promise<any> {
  return fl.waitFor(async () => (await detections()).find((d) => d.ruleId === ruleId && check(d)), 60_000)
}

async function search(query: string): Promise<any[]> {
  const result = await fl.api('POST', `/projects/${fl.projectId}/security/search`, { query, startDate: started - 60 * 60_000, limit: 500 })
  expect(result.status).toBe(200)
  return result.body.data
}

/** From the moment the attack's last event left the SDK (or the browser) to the detection being stored. */
function latency(detection: any, sentAt: number): string {
  return `${detection.ruleId}: detected ${detection.detectedAt - sentAt} ms after the events were sent`
}

describe('scripted attack', () => {
  it('credential stuffing from many addresses', async () => {
    const now = Date.now()
    for (let i = 0; i < 60; i++) recordSecurityEvent({ action: 'authn_login_fail', sourceIp: `198.51.100.${10 + (i % 15)}`, user: { name: `customer${i}@shop.example` }, timestamp: now - 30_000 + i * 100 })
    const sentAt = Date.now()
    await flush(5000)
    const found = await waitForRule('credential-stuffing')
    expect(found).toMatchObject({ count: 50, distinct: 15, severity: 'high' })
    console.log(latency(found, sentAt))
    // The rule fires at its 50th event, maybe before the batch holding the last ones is stored.
    const stuffing = 'event.action: authn_login_fail and source.ip: 198.51.100.0/24'
    await fl.waitFor(async () => ((await search(stuffing)).length >= 60 ? true : undefined))
    expect(await search(stuffing)).toHaveLength(60)
  })

  it('a brute force from one address, then the pivot to the users it touched', async () => {
    const now = Date.now()
    for (let i = 0; i < 12; i++) recordSecurityEvent({ action: 'authn_login_fail', sourceIp: '203.0.113.66', user: { name: 'admin' }, timestamp: now - 8_000 + i * 500 })
    recordSecurityEvent({ action: 'authn_login_success', sourceIp: '203.0.113.66', user: { name: 'admin' }, timestamp: now - 1_000 })
    const sentAt = Date.now()
    await flush(5000)
    const brute = await waitForRule('brute-force-single-ip', (d) => d.group['source.ip'] === '203.0.113.66')
    expect(brute.count).toBe(10)
    console.log(latency(brute, sentAt))
    const takeover = await waitForRule('success-after-failures', (d) => d.group['user.name'] === 'admin')
    console.log(latency(takeover, sentAt))
    const pivot = await fl.api('GET', `/projects/${fl.projectId}/security/pivot?field=ip&value=203.0.113.66&${range()}`)
    expect(pivot.body.users).toEqual([{ value: 'admin', count: 13 }])
  })

  it('impossible travel between two geolocated addresses', async () => {
    const now = Date.now()
    recordSecurityEvent({ action: 'authn_login_success', sourceIp: '8.8.8.8', user: { name: 'carol' }, timestamp: now - 10 * 60_000 })
    recordSecurityEvent({ action: 'authn_login_success', sourceIp: '81.2.69.142', user: { name: 'carol' }, timestamp: now - 60_000 })
    const sentAt = Date.now()
    await flush(5000)
    const travel = await waitForRule('impossible-travel', (d) => d.group['user.name'] === 'carol')
    expect(travel).toMatchObject({ distinct: 2, severity: 'critical' })
    console.log(latency(travel, sentAt))
    const pivot = await fl.api('GET', `/projects/${fl.projectId}/security/pivot?field=user&value=carol&${range()}`)
    expect(pivot.body.ips.map((i: any) => [i.value, i.country]).sort()).toEqual([['8.8.8.8', 'US'], ['81.2.69.142', 'GB']])
  })

  it('injection probes against an app guarded by the middleware', async () => {
    const app = new Hono()
    app.use(securityHono({ trustProxy: true }))
    app.get('*', (c) => c.text('ok'))
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise((resolve) => server.once('listening', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      for (const probe of ["/products?id=1'%20OR%20'1'='1", '/search?q=%3Cscript%3Ealert(1)%3C/script%3E', '/files?name=../../etc/passwd', '/fetch?url=http://169.254.169.254/latest/meta-data/', '/items?sort=1%20UNION%20SELECT%20password%20FROM%20users']) {
        const response = await fetch(`${base}${probe}`, { headers: { 'x-forwarded-for': '192.0.2.99' } })
        expect(response.status).toBe(200) // recorded, not blocked
      }
    } finally {
      server.close()
    }
    const sentAt = Date.now()
    await flush(5000)
    const probing = await waitForRule('injection-probing', (d) => d.group['source.ip'] === '192.0.2.99')
    console.log(latency(probing, sentAt))
    const kinds = (await search('event.action: input_validation_fail and source.ip: 192.0.2.99')).map((r) => r.event.attributes['attack.kind']).sort()
    expect(kinds).toEqual(['path_traversal', 'sql_injection', 'sql_injection', 'ssrf', 'xss'])
  })

  it('a CSP violation from headless Chromium loading a page with a strict policy', async () => {
    const reportUri = `${fl.url}/api/${fl.projectId}/security/?sentry_key=${fl.publicKey}`
    const page = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': `default-src 'self'; script-src 'self'; report-uri ${reportUri}` })
      res.end('<!doctype html><html><body><script src="https://cdn.evil.example/x.js"></script><p>hello</p></body></html>')
    })
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve))
    try {
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
      const tab = await browser.newPage()
      const sentAt = Date.now()
      await tab.goto(`http://127.0.0.1:${(page.address() as AddressInfo).port}/`)
      const blocked = await waitForRule('csp-script-blocked')
      expect(blocked.group).toEqual({ 'attributes.csp.blocked_uri': 'https://cdn.evil.example/x.js' })
      console.log(latency(blocked, sentAt))
    } finally {
      page.close()
    }
    const [report] = await search('event.action: csp_violation and event.dataset: csp')
    expect(report.event).toMatchObject({ message: expect.stringContaining('cdn.evil.example'), user_agent: { original: expect.stringContaining('Chrome') } })
  })
})
