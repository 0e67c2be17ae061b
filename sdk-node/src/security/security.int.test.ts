import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { flush } from '../index'
import { useFakeIngest } from '../testing/fake-ingest-hooks'
import { flushDeadlineMs } from '../testing'
import { detectInjection, inspectUrl } from './injection'
import { securityExpress, securityHandler, securityHono } from './monitor'
import { recordSecurityEvent } from './record'

const fake = useFakeIngest()

/** The security items the fake ingest received, in order. */
function securityItems(): Record<string, any>[] {
  return fake.ingest.envelopes().flatMap(([, items]) => items.filter(([h]) => h.type === 'security').map(([, payload]) => payload as Record<string, any>))
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('injection patterns', () => {
  it.each([
    ["1' OR '1'='1", 'sql_injection'],
    ['1 UNION SELECT password FROM users', 'sql_injection'],
    ["x'; DROP TABLE users; --", 'sql_injection'],
    ['<script>alert(1)</script>', 'xss'],
    ['<img src=x onerror=alert(1)>', 'xss'],
    ['javascript:alert(document.cookie)', 'xss'],
    ['../../etc/passwd', 'path_traversal'],
    ['%2e%2e%2f%2e%2e%2fwin.ini', 'path_traversal'],
    ['http://169.254.169.254/latest/meta-data/', 'ssrf'],
    ['gopher://internal:25/', 'ssrf'],
    ['http://127.0.0.1:6379/', 'ssrf'],
  ])('finds %j as %s', (value, kind) => {
    expect(detectInjection(value, 'query.q')?.kind).toBe(kind)
  })

  it.each(["O'Brien", 'select a plan', 'https://example.com/docs', 'a..b', 'x = 1 or y', '1.2.3.4', '<b>bold</b>', 'one-on-one'])('leaves %j alone', (value) => {
    expect(detectInjection(value, 'query.q')).toBeUndefined()
  })

  it('names the place in a URL', () => {
    expect(inspectUrl('/files/..%2f..%2fetc%2fpasswd?q=ok&url=http%3A%2F%2F169.254.169.254%2F').map((f) => [f.kind, f.location])).toEqual([
      ['path_traversal', 'path'],
      ['ssrf', 'query.url'],
    ])
  })
})

describe('recordSecurityEvent', () => {
  it('sends a security envelope item with the action, user and source', async () => {
    const id = recordSecurityEvent({ action: 'authn_login_fail', user: { name: 'alice' }, sourceIp: '203.0.113.7', attributes: { method: 'password' } })
    await flush(flushDeadlineMs)
    expect(id).toMatch(/^[0-9a-f]{32}$/)
    expect(securityItems()).toEqual([expect.objectContaining({ event: expect.objectContaining({ id, action: 'authn_login_fail' }), user: { name: 'alice' }, source: { ip: '203.0.113.7' }, attributes: { method: 'password' } })])
  })
})

describe('security middleware', () => {
  it('hono: records injection input without blocking, sign-in outcomes, denials and rate limits', async () => {
    const app = new Hono()
    app.use(securityHono())
    app.get('/search', (c) => c.text('results'))
    app.post('/login', (c) => (c.req.query('ok') ? c.text('welcome') : c.text('no', 401)))
    app.get('/admin', (c) => c.text('forbidden', 403))
    app.get('/api', (c) => c.text('slow down', 429))
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise((resolve) => server.once('listening', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const search = await fetch(`${base}/search?q=${encodeURIComponent("' OR 1=1 --")}`)
      expect(search.status).toBe(200)
      await fetch(`${base}/login`, { method: 'POST' })
      await fetch(`${base}/login?ok=1`, { method: 'POST' })
      await fetch(`${base}/admin`)
      await fetch(`${base}/api`)
      await flush(flushDeadlineMs)
    } finally {
      server.close()
    }
    const items = securityItems()
    expect(items.map((i) => i.event.action)).toEqual(['input_validation_fail', 'authn_login_fail', 'authn_login_success', 'authz_fail', 'excess_rate_limit_exceeded'])
    expect(items[0]).toMatchObject({ source: { ip: '127.0.0.1' }, url: '/search', attributes: { 'attack.kind': 'sql_injection', 'attack.location': 'query.q', 'attack.blocked': false } })
    expect(items[3]).toMatchObject({ http: { request: { method: 'GET' }, response: { status_code: 403 } } })
  })

  it('express and node:http: block when asked, and read X-Forwarded-For only when trusted', async () => {
    const guard = securityExpress({ block: true, trustProxy: true })
    const expressLike = http.createServer((req, res) => guard(req, res, () => res.end('ok')))
    const plain = http.createServer(securityHandler((_req, res) => res.writeHead(403).end()))
    const [e, p] = [await listen(expressLike), await listen(plain)]
    try {
      const refused = await fetch(`${e}/file?path=../../etc/passwd`, { headers: { 'x-forwarded-for': '198.51.100.23' } })
      expect(refused.status).toBe(400)
      expect((await fetch(`${e}/fine`)).status).toBe(200)
      expect((await fetch(`${p}/secret`, { headers: { 'x-forwarded-for': '198.51.100.23' } })).status).toBe(403)
      await flush(flushDeadlineMs)
    } finally {
      expressLike.close()
      plain.close()
    }
    const items = securityItems()
    expect(items.map((i) => [i.event.action, i.source.ip])).toEqual([
      ['input_validation_fail', '198.51.100.23'],
      ['authz_fail', '127.0.0.1'],
    ])
    expect(items[0]!.attributes).toMatchObject({ 'attack.kind': 'path_traversal', 'attack.blocked': true })
  })
})
