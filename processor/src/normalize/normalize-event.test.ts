import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Level, normalizeEvent, type NormalizedEvent } from './index'

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>
}

/** Normalizes a fixture as if it arrived half a second after the SDK stamped it. */
function normalizeFixture(name: string, clientIp?: string): NormalizedEvent {
  const raw = fixture(name)
  const receivedAt = Math.round((raw.timestamp as number) * 1000) + 500
  const result = normalizeEvent(raw, { projectId: 'proj-1', receivedAt, clientIp })
  if (!result.ok) throw new Error(`fixture ${name} rejected: ${result.reason}`)
  return result.event
}

describe('normalizeEvent on @sentry/node v10 payloads', () => {
  it('reads an exception event with its stack, user, tags, breadcrumbs, contexts and sdk', () => {
    const raw = fixture('node-type-error')
    const event = normalizeFixture('node-type-error', '203.0.113.9')

    expect(event.eventId).toBe(raw.event_id)
    expect(event.timestamp).toBe(Math.round((raw.timestamp as number) * 1000))
    expect(event.originalTimestamp).toBeUndefined()
    expect(event.level).toBe(Level.Error)
    expect(event.platform).toBe('node')
    expect(event.environment).toBe('staging')
    expect(event.release).toBe('shop-api@2.14.0')
    expect(event.serverName).toBe('api-7f9c-1')
    expect(event.title).toBe("TypeError: Cannot read properties of undefined (reading 'reduce')")
    // Sentry's culprit for JavaScript platforms: function(module).
    expect(event.culprit).toBe('OrderService.getTotal(src.services:order-service)')
    expect(event.tags).toEqual({ route: '/checkout' })
    expect(event.user).toEqual({ id: 'user-4821', email: 'dana@example.com', ipAddress: '203.0.113.9' })
    expect(event.userKey).toBe('user-4821')
    expect(event.sdk).toEqual({ name: 'sentry.javascript.node', version: '10.78.0' })
    expect(Object.keys(event.contexts)).toEqual(expect.arrayContaining(['trace', 'runtime', 'os', 'device']))
    expect(event.contexts.runtime).toEqual({ name: 'node', version: 'v20.20.2' })
    expect(event.breadcrumbs).toHaveLength(2)
    expect(event.breadcrumbs[0]).toMatchObject({ category: 'http', type: 'http', level: 'info' })
    expect(event.breadcrumbs[0]?.data).toMatchObject({ method: 'POST', status_code: 200 })
    expect(event.breadcrumbs[1]).toMatchObject({ category: 'console', level: 'info', message: 'cart loaded with 3 items' })

    const [exception] = event.exceptions
    expect(event.exceptions).toHaveLength(1)
    expect(exception?.mechanism).toEqual({ type: 'generic', handled: true })
    const top = exception?.frames.at(-1)
    expect(top).toEqual({
      filename: '/srv/shop-api/src/services/order-service.js',
      module: 'src.services:order-service',
      function: 'OrderService.getTotal',
      lineno: 11,
      colno: 18,
      inApp: true,
      contextLine: '    return lines.reduce((sum, line) => sum + line.price * line.qty, 0);',
      preContext: expect.any(Array),
      postContext: expect.any(Array),
    })
    expect(exception?.frames[0]).toMatchObject({ filename: 'node:internal/main/run_main_module', inApp: false })
  })

  it('keeps the chain oldest first, so the outermost error is last and names the event', () => {
    const event = normalizeFixture('node-chained-cause')
    expect(event.exceptions.map((e) => e.type)).toEqual(['QueryError', 'Error'])
    expect(event.exceptions[0]?.mechanism).toEqual({ type: 'chained', handled: true, source: 'cause', exceptionId: 1, parentId: 0 })
    expect(event.title).toBe('Error: Failed to load order o-1002')
    expect(event.culprit).toBe('OrderService.loadOrder(src.services:order-service)')
    const cause = event.exceptions[0]
    expect(cause?.frames.at(-1)).toMatchObject({ module: 'fake-orm.lib:query', inApp: false })
  })

  it('reads a message event', () => {
    const event = normalizeFixture('node-message')
    expect(event.level).toBe(Level.Warning)
    expect(event.message).toBe('Payment provider timeout after 3012ms for order 88')
    expect(event.title).toBe('Payment provider timeout after 3012ms for order 88')
    expect(event.exceptions).toEqual([])
    expect(event.culprit).toBeUndefined()
  })

  it('reads the request without cookies, the transaction as culprit and the custom fingerprint', () => {
    const event = normalizeFixture('node-custom-fingerprint')
    expect(event.fingerprint).toEqual(['{{ default }}', 'payments'])
    expect(event.transaction).toBe('POST /api/checkout')
    expect(event.culprit).toBe('POST /api/checkout')
    expect(event.request).toEqual({
      url: 'https://shop.example.com/api/checkout?step=2',
      method: 'POST',
      query: 'step=2',
      headers: {
        host: 'shop.example.com',
        'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
        'content-type': 'application/json',
      },
    })
    const frames = event.exceptions[0]?.frames ?? []
    expect(frames.find((f) => f.filename === '<anonymous>')).toMatchObject({ function: 'JSON.parse', inApp: false })
  })

  it('leaves user.ip_address empty when {{auto}} has no client address to fill in', () => {
    const event = normalizeFixture('node-type-error')
    expect(event.user?.ipAddress).toBeUndefined()
  })
})

describe('normalizeEvent rejection and identity', () => {
  const context = { projectId: 'p', receivedAt: Date.UTC(2025, 0, 10) }

  it.each([null, undefined, 'text', 42, true, [], [{ message: 'x' }]])('rejects %j, which is not a JSON object', (raw) => {
    const result = normalizeEvent(raw, context)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.reason).toMatch(/JSON object/)
  })

  it('accepts an empty object with every default', () => {
    const result = normalizeEvent({}, context)
    expect(result).toEqual({
      ok: true,
      event: {
        projectId: 'p',
        eventId: expect.stringMatching(/^[0-9a-f]{32}$/),
        timestamp: context.receivedAt,
        receivedAt: context.receivedAt,
        level: 'error',
        environment: 'production',
        exceptions: [],
        breadcrumbs: [],
        tags: {},
        contexts: {},
        title: '<unlabeled event>',
      },
    })
  })

  it('lowercases a dashed event id and replaces an invalid one', () => {
    const dashed = normalizeEvent({ event_id: '550E8400-E29B-41D4-A716-446655440000' }, context)
    expect(dashed.ok && dashed.event.eventId).toBe('550e8400e29b41d4a716446655440000')
    const bad = normalizeEvent({ event_id: 'not-an-id' }, context)
    const other = normalizeEvent({ event_id: 12 }, context)
    expect(bad.ok && bad.event.eventId).toMatch(/^[0-9a-f]{32}$/)
    expect(bad.ok && other.ok && bad.event.eventId !== other.event.eventId).toBe(true)
  })

  it.each([
    ['warn', 'warning'],
    ['WARNING', 'warning'],
    ['fatal', 'fatal'],
    ['info', 'info'],
    ['debug', 'debug'],
    ['critical', 'fatal'],
    ['nonsense', 'error'],
    [3, 'error'],
  ])('reads level %j as %s', (level, expected) => {
    const result = normalizeEvent({ level }, context)
    expect(result.ok && result.event.level).toBe(expected)
  })
})

describe('normalizeEvent timestamps', () => {
  const receivedAt = Date.UTC(2025, 0, 10, 12, 0, 0)
  const at = (timestamp: unknown) => {
    const result = normalizeEvent({ timestamp }, { projectId: 'p', receivedAt })
    if (!result.ok) throw new Error(result.reason)
    return result.event
  }

  it('reads RFC 3339 text, unix seconds with fractions and numeric text', () => {
    expect(at('2025-01-10T11:59:30.250Z').timestamp).toBe(receivedAt - 29_750)
    expect(at('2025-01-10T13:59:30+02:00').timestamp).toBe(receivedAt - 30_000)
    expect(at('2025-01-10T11:59:30').timestamp).toBe(receivedAt - 30_000)
    expect(at(receivedAt / 1000 - 1.5).timestamp).toBe(receivedAt - 1500)
    expect(at(String(receivedAt / 1000 - 2)).timestamp).toBe(receivedAt - 2000)
  })

  it('clamps clocks more than 30 days behind or a minute ahead, keeping the original', () => {
    const old = at((receivedAt - 31 * 86_400_000) / 1000)
    expect(old.timestamp).toBe(receivedAt)
    expect(old.originalTimestamp).toBe(receivedAt - 31 * 86_400_000)
    const ahead = at('2025-01-10T12:01:30Z')
    expect(ahead.timestamp).toBe(receivedAt)
    expect(ahead.originalTimestamp).toBe(receivedAt + 90_000)
    expect(at((receivedAt + 30_000) / 1000).originalTimestamp).toBeUndefined()
  })

  it('uses the receive time for missing or unreadable timestamps', () => {
    for (const value of [undefined, 'yesterday', {}, Number.NaN, '']) {
      const event = at(value)
      expect(event.timestamp).toBe(receivedAt)
      expect(event.originalTimestamp).toBeUndefined()
    }
  })
})
