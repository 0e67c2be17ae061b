/**
 * @faultline/sdk-node against a real Faultline: an error thrown in a hono handler arrives through
 * ingest and the processor, and the API returns it with stack trace, context lines, breadcrumbs,
 * tags, user and request data intact.
 */
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addBreadcrumb, close, faultlineHono, flush, init, lastEventId, setTag, setUser } from '@faultline/sdk-node'
import { startFaultline, type TestFaultline } from './support/faultline'

describe('sdk-node against Faultline', () => {
  let faultline: TestFaultline
  let event: any
  let eventId: string

  beforeAll(async () => {
    faultline = await startFaultline()
    init({ dsn: faultline.dsn, release: 'orders@3.1.0', environment: 'staging', globalHandlers: false })
    const app = new Hono()
    app.use(faultlineHono())
    app.post('/orders/:id/pay', async (c) => {
      setUser({ id: 'customer-9', email: 'c9@example.com' })
      setTag('payment.provider', 'acme')
      addBreadcrumb({ category: 'payment', message: 'charging card' })
      console.info('loaded order', c.req.param('id'))
      await new Promise((r) => setTimeout(r, 1))
      throw new Error(`payment declined for order ${c.req.param('id')}`, { cause: new RangeError('amount exceeds limit') })
    })
    const res = await app.request('/orders/77/pay?attempt=2', { method: 'POST', headers: { 'user-agent': 'sdk-test', authorization: 'Bearer s3cret' } })
    expect(res.status).toBe(500)
    eventId = lastEventId()!
    expect(await flush(5000)).toBe(true)
    const found = await faultline.waitFor(async () => {
      const { status, body } = await faultline.api('GET', `/projects/${faultline.projectId}/events/${eventId}`)
      return status === 200 ? body : undefined
    }, 30_000)
    event = found.payload ?? found
  }, 90_000)

  afterAll(async () => {
    await close(1000)
    await faultline?.stop()
  })

  it('keeps the stack trace with context lines and the cause chain', () => {
    const outer = event.exceptions.at(-1)
    expect(outer).toMatchObject({ type: 'Error', value: 'payment declined for order 77' })
    expect(event.exceptions[0]).toMatchObject({ type: 'RangeError', value: 'amount exceeds limit' })
    const top = outer.frames.at(-1)
    expect(top.inApp).toBe(true)
    expect(top.filename).toContain('sdk-node.int.test.ts')
    expect(top.contextLine).toContain('throw new Error(`payment declined')
    expect(top.preContext.length).toBeGreaterThan(0)
  })

  it('keeps breadcrumbs, tags, user, release and request data; drops secrets', () => {
    expect(event.breadcrumbs.map((b: any) => b.message)).toEqual(expect.arrayContaining(['charging card', 'loaded order 77']))
    expect(event.tags['payment.provider']).toBe('acme')
    expect(event.user).toMatchObject({ id: 'customer-9' })
    expect(event.release).toBe('orders@3.1.0')
    expect(event.environment).toBe('staging')
    expect(event.request).toMatchObject({ method: 'POST', url: 'http://localhost/orders/77/pay' })
    expect(event.transaction).toBe('POST /orders/:id/pay')
    expect(JSON.stringify(event)).not.toContain('s3cret')
  })

  it('lists the error as an issue of the project', async () => {
    const { body } = await faultline.api('GET', `/projects/${faultline.projectId}/issues?status=all&limit=10`)
    expect(body.data.some((i: any) => i.value === 'payment declined for order 77' || String(i.title).includes('payment declined'))).toBe(true)
  })
})
