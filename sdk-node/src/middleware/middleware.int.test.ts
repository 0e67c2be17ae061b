import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { describe, expect, it } from 'vitest'
import { addBreadcrumb, captureMessage, flush, setTag, setUser } from '../index'
import { useFakeIngest } from '../testing/fake-ingest-hooks'
import { flushDeadlineMs } from '../testing'
import { expressErrorHandler, expressRequestHandler } from './express'
import { faultlineHono } from './hono'
import { wrapHandler } from './http'

const fake = useFakeIngest({ release: 'shop@2.0.0', environment: 'test' })

// Delays inside handlers, so concurrent requests overlap: part of the scenario, not a wait for a result.
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Asserts that only a marker event reached ingest: flush waits for every capture made so far to be
 * processed and sent, so an event the code under test had captured would have arrived with it.
 */
async function expectOnlyMarkerSent(): Promise<void> {
  captureMessage('marker')
  expect(await flush(flushDeadlineMs)).toBe(true)
  expect(fake.ingest.events().map((event) => event.message)).toEqual(['marker'])
}

describe('hono middleware', () => {
  function app() {
    const a = new Hono()
    a.use(faultlineHono({ getUser: (c) => ({ id: c.req.header('x-user') }) }))
    a.get('/orders/:id', async (c) => {
      setTag('order', c.req.param('id'))
      addBreadcrumb({ category: 'db', message: `load order ${c.req.param('id')}` })
      await tick(Number(c.req.query('wait') ?? 0))
      if (c.req.param('id') !== 'ok') throw new Error(`order ${c.req.param('id')} failed`)
      return c.text('fine')
    })
    a.get('/missing', () => {
      throw new HTTPException(404, { message: 'nope' })
    })
    a.onError((err, c) => (err instanceof HTTPException ? err.getResponse() : c.text('custom 500', 500)))
    return a
  }

  it('reports handler errors with request, route, user, tags and breadcrumbs; onError still answers', async () => {
    const res = await app().request('/orders/41?wait=1&token=abc', { headers: { 'x-user': 'u-41', authorization: 'Bearer secret', cookie: 'sid=1', 'user-agent': 'test' } })
    expect(res.status).toBe(500)
    expect(await res.text()).toBe('custom 500')
    const [event] = await fake.ingest.waitFor(() => fake.ingest.events().length === 1 && fake.ingest.events())
    expect(event).toMatchObject({
      release: 'shop@2.0.0',
      environment: 'test',
      transaction: 'GET /orders/:id',
      user: { id: 'u-41', ip_address: null },
      tags: { order: '41', 'http.status_code': '500' },
      request: { method: 'GET', url: 'http://localhost/orders/41', query_string: 'wait=1&token=abc' },
    })
    expect(event!.request!.headers).toEqual({ 'x-user': 'u-41', 'user-agent': 'test' })
    expect(event!.request!.cookies).toBeUndefined()
    expect(event!.breadcrumbs!.map((b) => b.message)).toContain('load order 41')
    const exception = event!.exception!.values[0]!
    expect(exception.mechanism).toMatchObject({ type: 'hono', handled: false, data: { status_code: 500 } })
    const top = exception.stacktrace!.frames.at(-1)!
    expect(top.filename).toMatch(/middleware\.int\.test\.ts$/)
    expect(top.context_line).toContain("throw new Error(`order ${c.req.param('id')} failed`)")
    expect(top.pre_context).toHaveLength(5)
    expect(event!.contexts!.runtime).toMatchObject({ name: 'node' })
  })

  it('does not report 4xx HTTPExceptions', async () => {
    expect((await app().request('/missing')).status).toBe(404)
    expect((await app().request('/orders/ok')).status).toBe(200)
    await expectOnlyMarkerSent()
  })

  it('keeps scopes of concurrent requests apart', async () => {
    const a = app()
    const ids = Array.from({ length: 20 }, (_, i) => `c${i}`)
    await Promise.all(ids.map((id, i) => a.request(`/orders/${id}?wait=${(i * 7) % 13}`, { headers: { 'x-user': `user-${id}` } })))
    const events = await fake.ingest.waitFor(() => fake.ingest.events().length === ids.length && fake.ingest.events())
    for (const event of events) {
      const id = event.tags!.order!
      expect(event.user!.id).toBe(`user-${id}`)
      expect(event.exception!.values[0]!.value).toBe(`order ${id} failed`)
      expect(event.breadcrumbs!.filter((b) => b.category === 'db').map((b) => b.message)).toEqual([`load order ${id}`])
    }
  })

  it('works behind @hono/node-server and adds outgoing fetch breadcrumbs', async () => {
    const a = new Hono()
    a.use(faultlineHono())
    a.get('/proxy', async () => {
      await fetch(`${fake.ingest.url}/health?secret=1`).then((r) => r.text())
      await new Promise<void>((resolve) => http.get(`${fake.ingest.url}/other`, (r) => (r.resume(), r.on('end', resolve))))
      throw new Error('after calls')
    })
    const server = serve({ fetch: a.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise((r) => server.once('listening', r))
    const port = (server.address() as AddressInfo).port
    const res = await fetch(`http://127.0.0.1:${port}/proxy`)
    expect(res.status).toBe(500)
    const event = await fake.ingest.waitFor(() => fake.ingest.events()[0])
    const http_ = event.breadcrumbs!.filter((b) => b.category === 'http')
    expect(http_).toEqual([
      expect.objectContaining({ type: 'http', data: { method: 'GET', url: `${fake.ingest.url}/health`, status_code: 200 } }),
      expect.objectContaining({ data: { method: 'GET', url: `${fake.ingest.url}/other`, status_code: 200 } }),
    ])
    // The SDK's own envelope requests are not breadcrumbs.
    expect(JSON.stringify(event.breadcrumbs)).not.toContain('/envelope/')
    await new Promise((r) => server.close(r))
  })

  it('never turns its own envelope requests into breadcrumbs of a later event', async () => {
    // Node 20 announces an outgoing request when it is flushed, after http.request() returned.
    captureMessage('first, sent from the root scope')
    await flush(flushDeadlineMs)
    captureMessage('second, same scope')
    await flush(flushDeadlineMs)
    expect(fake.ingest.events()).toHaveLength(2)
    expect(JSON.stringify(fake.ingest.events()[1]!.breadcrumbs ?? [])).not.toContain('/envelope/')
  })
})

async function listen(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  }
}

describe('express-style middleware', () => {
  it('isolates the request and reports errors passed to next(err) with their status', async () => {
    // Express is not installed here: this chain calls the middleware exactly as Express does.
    const requestHandler = expressRequestHandler({ getUser: () => ({ id: 'e1' }) })
    const errorHandler = expressErrorHandler()
    const server = await listen((req, res) => {
      requestHandler(req, res, () => {
        setTag('route', 'checkout')
        setTimeout(() => {
          const error = Object.assign(new Error('payment gateway down'), { status: 503 })
          errorHandler(error, Object.assign(req, { route: { path: '/checkout' }, baseUrl: '/api' }), res, (passed) => {
            res.statusCode = (passed as { status: number }).status
            res.end('error page')
          })
        }, 5)
      })
    })
    const res = await fetch(`${server.url}/api/checkout?step=2`, { headers: { 'x-api-key': 'k' } })
    expect(res.status).toBe(503)
    const event = await fake.ingest.waitFor(() => fake.ingest.events()[0])
    expect(event).toMatchObject({ transaction: 'GET /api/checkout', user: { id: 'e1' }, tags: { route: 'checkout', 'http.status_code': '503' }, request: { method: 'GET', query_string: 'step=2' } })
    expect(event.request!.headers!['x-api-key']).toBeUndefined()
    expect(event.exception!.values[0]!.mechanism).toMatchObject({ type: 'express', handled: false })
    await server.close()
  })

  it('does not report 4xx errors', async () => {
    const errorHandler = expressErrorHandler()
    let passed: unknown
    errorHandler(Object.assign(new Error('bad input'), { statusCode: 400 }), { method: 'GET', url: '/', headers: {} } as never, {} as never, (e) => (passed = e))
    expect((passed as Error).message).toBe('bad input')
    await expectOnlyMarkerSent()
  })
})

describe('wrapHandler for node:http', () => {
  it('reports sync and async handler errors and keeps per-request users apart', async () => {
    const server = await listen(
      wrapHandler(
        async (req, res) => {
          const who = req.url!.slice(1)
          setUser({ id: who })
          await tick(who === 'a' ? 20 : 1)
          if (who !== 'ok') throw new Error(`failed for ${who}`)
          res.end('ok')
        },
        { rethrow: false },
      ),
    )
    const statuses = await Promise.all(['a', 'b', 'ok'].map((p) => fetch(`${server.url}/${p}`).then((r) => r.status)))
    expect(statuses).toEqual([500, 500, 200])
    const events = await fake.ingest.waitFor(() => fake.ingest.events().length === 2 && fake.ingest.events())
    for (const e of events) expect(e.exception!.values[0]!.value).toBe(`failed for ${e.user!.id}`)
    await server.close()
  })
})
