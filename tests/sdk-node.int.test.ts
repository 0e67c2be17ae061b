/**
 * @faultline/sdk-node against a real Faultline: an error thrown in a hono handler arrives through
 * ingest and the processor, and the API returns it with stack trace, context lines, breadcrumbs,
 * tags, user and request data intact; and a rate-limited key makes the SDK hold back for the
 * announced time and report what it dropped once the limit lifts.
 */
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addBreadcrumb, captureException, close, faultlineHono, flush, getClient, init, lastEventId, setTag, setUser } from '@faultline/sdk-node'
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
    })
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

describe('sdk-node against a rate-limited Faultline', () => {
  let faultline: TestFaultline

  beforeAll(async () => {
    // Three events per key and minute: the fourth gets 429 with the rest of the minute announced.
    faultline = await startFaultline({ KEY_RATE_LIMIT_PER_MINUTE: '3' })
  }, 60_000)

  afterAll(async () => {
    await close(1000)
    await faultline?.stop()
  })

  /** Error events ingest counted with this outcome (`faultline_ingest_events_total`). */
  const ingestEvents = async (outcome: string): Promise<number> => {
    const text = await (await fetch(`${faultline.url}/metrics`, { headers: { authorization: `Bearer ${faultline.adminToken}` } })).text()
    const line = text.split('\n').find((l) => l.startsWith(`faultline_ingest_events_total{outcome="${outcome}"}`))
    return line ? Number(line.split(' ').at(-1)) : 0
  }
  /** What the project's outcome stats say clients discarded (ingest stores them every few seconds). */
  const clientDiscards = async (): Promise<{ category: string; reason: string; quantity: number }[]> => {
    const { body } = await faultline.api('GET', `/projects/${faultline.projectId}/stats/outcomes`)
    return body.totals.filter((t: { outcome: string }) => t.outcome === 'client_discard')
  }

  it('holds back during Retry-After, then reports the dropped events as ratelimit_backoff', async () => {
    init({ dsn: faultline.dsn, globalHandlers: false, consoleBreadcrumbs: false, clientReportDelayMs: 200 })
    // The minute's window opens with the first event, so it cannot end before a minute from now.
    const windowOpenedAfter = Date.now()
    // One at a time, so each capture sees the limits the previous answer set.
    for (let i = 1; i <= 8; i++) {
      captureException(new Error(`checkout failed #${i}`))
      expect(await flush(5000)).toBe(true)
    }
    expect(await ingestEvents('accepted')).toBe(3)
    // Only the fourth event reached ingest and was refused; the other four never left the process.
    expect(await ingestEvents('rate_limited')).toBe(1)
    const limits = getClient()!.transport!.rateLimits()
    const until = Math.max(...Object.values(limits))
    // The SDK holds back for the rest of the window, as announced (Retry-After rounds up to seconds).
    expect(until).toBeGreaterThanOrEqual(windowOpenedAfter + 59_000)
    expect(getClient()!.pendingOutcomes()).toEqual({ 'ratelimit_backoff:error': 5 })

    // During the window: nothing is sent, neither events nor the client report (its category is
    // limited too). Each check follows a flush, by which a send would have happened; the last ones
    // stay 10 s clear of the window's end, however slowly a busy machine runs them. The waits
    // between captures pace the loop through the window, they synchronize nothing.
    while (Date.now() < until - 10_000) {
      captureException(new Error(`still failing at ${Date.now()}`))
      await flush(1000)
      expect(await ingestEvents('rate_limited')).toBe(1)
      expect(await clientDiscards()).toEqual([])
      await new Promise((r) => setTimeout(r, Math.min(5_000, Math.max(0, until - 10_000 - Date.now()))))
    }
    const heldBack = getClient()!.pendingOutcomes()['ratelimit_backoff:error']!
    expect(heldBack).toBeGreaterThan(5)

    // After the window the client report goes out by itself, and events are accepted again.
    const discards = await faultline.waitFor(async () => {
      const found = await clientDiscards()
      return found.length > 0 ? found : undefined
    })
    expect(Date.now()).toBeGreaterThanOrEqual(until)
    expect(discards).toEqual([{ category: 'error', outcome: 'client_discard', reason: 'ratelimit_backoff', quantity: heldBack }])
    captureException(new Error('checkout works again'))
    expect(await flush(5000)).toBe(true)
    expect(await ingestEvents('accepted')).toBe(4)
    expect(await ingestEvents('rate_limited')).toBe(1)
  }, 150_000)
})
