import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createProjectKey, type ProjectKeyDoc } from '@faultline/core/projects'
import { envelope, errorEvent, openIngestHarness, type IngestHarness } from '../testing/ingest-harness'

let h: IngestHarness
let key: ProjectKeyDoc
let otherKey: ProjectKeyDoc
const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) => h.post(path, body, headers)
const drainBus = () => h.drainBus()

beforeAll(async () => {
  h = await openIngestHarness({
    KEY_RATE_LIMIT_PER_MINUTE: '1000',
    MAX_EVENT_BYTES: '65536',
    MAX_ENVELOPE_BYTES: '262144',
    MAX_COMPRESSED_BYTES: '131072',
  })
  key = (await h.createProject('Ingest test')).key
  otherKey = (await h.createProject('Other project')).key
})

afterAll(() => h.close())

// Whatever an earlier test left on the bus (one that failed before draining it) is not read as this one's.
beforeEach(async () => {
  await drainBus()
})

describe('Sentry auth forms', () => {
  it('accepts sentry_key in the query, X-Sentry-Auth, Authorization: Sentry and the envelope DSN', async () => {
    const p = key.projectId
    const body = () => envelope([{ type: 'event', payload: errorEvent() }])
    const responses = [
      await post(`/api/${p}/envelope/?sentry_key=${key._id}&sentry_version=7`, body()),
      await post(`/api/${p}/envelope/`, body(), { 'x-sentry-auth': `Sentry sentry_key=${key._id}, sentry_version=7, sentry_client=test/1.0` }),
      await post(`/api/${p}/envelope/`, body(), { authorization: `Sentry sentry_key=${key._id}, sentry_version=7` }),
      await post(`/api/${p}/envelope/`, envelope([{ type: 'event', payload: errorEvent() }], { dsn: `http://${key._id}@localhost/${p}` })),
    ]
    for (const response of responses) expect(response.status).toBe(200)
    expect(await drainBus()).toHaveLength(4)
  })

  it('refuses a missing or unknown key with 401 and a key of another project with 403', async () => {
    const p = key.projectId
    const body = envelope([{ type: 'event', payload: errorEvent() }])
    const missing = await post(`/api/${p}/envelope/`, body)
    expect(missing.status).toBe(401)
    expect(missing.headers.get('content-type')).toContain('application/problem+json')
    expect((await missing.json()).detail).toBeTruthy()
    expect((await post(`/api/${p}/envelope/?sentry_key=${'0'.repeat(32)}`, body)).status).toBe(401)
    expect((await post(`/api/${p}/envelope/?sentry_key=${otherKey._id}`, body)).status).toBe(403)
    const dsnMismatch = envelope([{ type: 'event', payload: errorEvent() }], { dsn: `http://${key._id}@localhost/999` })
    expect((await post(`/api/${p}/envelope/`, dsnMismatch)).status).toBe(403)
    expect((await post(`/api/abc/envelope/?sentry_key=${key._id}`, body)).status).toBe(400)
    expect(await drainBus()).toHaveLength(0)
  })
})

describe('disabled keys', () => {
  it('refuses a disabled key with 403 while the other keys of its project keep working', async () => {
    const disabled = (await h.createProject('Disabled key')).key
    const spare = await createProjectKey(h.platform.projects, { _id: disabled.projectId, orgId: disabled.orgId }, 'spare')
    await h.platform.projects.keys.put({ ...disabled, disabled: true })
    const refused = await post(`/api/${disabled.projectId}/envelope/?sentry_key=${disabled._id}`, envelope([{ type: 'event', payload: errorEvent() }]))
    expect(refused.status).toBe(403)
    expect((await refused.json()).detail).toMatch(/disabled/)
    const viaDsn = envelope([{ type: 'event', payload: errorEvent() }], { dsn: `http://${disabled._id}@localhost/${disabled.projectId}` })
    expect((await post(`/api/${disabled.projectId}/envelope/`, viaDsn)).status).toBe(403)
    // Ingest answers once the bus holds an event: a marker accepted after the refusals is alone there.
    const marker = errorEvent({ message: 'marker' })
    expect((await post(`/api/${spare.projectId}/envelope/?sentry_key=${spare._id}`, envelope([{ type: 'event', payload: marker }]))).status).toBe(200)
    expect((await drainBus()).map((event) => event.event_id)).toEqual([marker.event_id])
  })
})

describe('bodies', () => {
  const url = () => `/api/${key.projectId}/envelope/?sentry_key=${key._id}`

  it('decodes gzip, deflate and br bodies, and store requests', async () => {
    const body = () => Buffer.from(envelope([{ type: 'event', payload: errorEvent(), withLength: false }]))
    expect((await post(url(), gzipSync(body()), { 'content-encoding': 'gzip' })).status).toBe(200)
    expect((await post(url(), deflateSync(body()), { 'content-encoding': 'deflate' })).status).toBe(200)
    expect((await post(url(), brotliCompressSync(body()), { 'content-encoding': 'br' })).status).toBe(200)
    const store = await post(`/api/${key.projectId}/store/?sentry_key=${key._id}`, JSON.stringify(errorEvent({ message: 'via store' })))
    expect(store.status).toBe(200)
    expect(await drainBus()).toHaveLength(4)
  })

  it('answers 413 for an event over the limit and a decompression bomb, 400 for broken gzip', async () => {
    const huge = envelope([{ type: 'event', payload: errorEvent({ extra: { blob: 'x'.repeat(70_000) } }) }])
    expect((await post(url(), huge)).status).toBe(413)
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024))
    const bombResponse = await post(url(), bomb, { 'content-encoding': 'gzip' })
    expect(bombResponse.status).toBe(413)
    expect((await post(url(), Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' })).status).toBe(400)
    expect((await post(url(), 'x', { 'content-encoding': 'compress' })).status).toBe(415)
    expect(await drainBus()).toHaveLength(0)
  })

  it('answers 400 with a reason for malformed envelopes and events', async () => {
    const bad = [
      '{"event_id": "x"}\n{"type":"event","length":500}\n{}',
      'not json\n',
      '{}\n{"type":"event"}\n{"unterminated": \n',
      `{}\n{"type":"event"}\n${'['.repeat(60_000)}`,
    ]
    for (const body of bad) {
      const response = await post(url(), body)
      expect(response.status).toBe(400)
      expect((await response.json()).detail).toMatch(/\w/)
    }
  })
})

describe('items, scrubbing and outcomes', () => {
  it('scrubs secrets before the bus and counts items without a processor', async () => {
    const p = key.projectId
    const response = await post(
      `/api/${p}/envelope/?sentry_key=${key._id}`,
      envelope([
        { type: 'event', payload: errorEvent({ extra: { password: 'hunter2', note: 'card 4111 1111 1111 1111' }, request: { headers: { Cookie: 'sid=abc', Authorization: 'Bearer secret-token' } } }) },
        { type: 'transaction', payload: { type: 'transaction' } },
        { type: 'session', payload: { sid: 'x' } },
        { type: 'client_report', payload: { discarded_events: [{ reason: 'queue_overflow', category: 'error', quantity: 3 }] } },
      ]),
    )
    expect(response.status).toBe(200)
    const [event] = await drainBus()
    const text = JSON.stringify(event)
    expect(text).not.toContain('hunter2')
    expect(text).not.toContain('4111 1111 1111 1111')
    expect(text).not.toContain('secret-token')
    expect(text).not.toContain('sid=abc')
    await h.tier.close()
    const outcomes = await h.platform.metadata.collection<{ _id: string; projectId: string; category: string; outcome: string; reason: string; quantity: number }>({ name: 'outcomes', indexes: ['projectId', 'hour'] })
    const rows = await outcomes.find({ projectId: p })
    const find = (category: string, outcome: string) => rows.filter((r) => r.category === category && r.outcome === outcome).reduce((n, r) => n + r.quantity, 0)
    expect(find('transaction', 'filtered')).toBe(1)
    expect(find('session', 'filtered')).toBe(1)
    expect(find('error', 'client_discard')).toBe(3)
    expect(find('error', 'accepted')).toBeGreaterThan(0)
  })

  it('answers CORS preflights and exposes the rate-limit headers', async () => {
    const response = await h.app.request(`/api/${key.projectId}/envelope/`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    const posted = await post(`/api/${key.projectId}/envelope/?sentry_key=${key._id}`, envelope([{ type: 'session', payload: {} }]), { origin: 'https://shop.example' })
    expect(posted.headers.get('access-control-expose-headers')).toMatch(/retry-after/)
    expect(posted.headers.get('access-control-expose-headers')).toMatch(/x-sentry-rate-limits/)
    // A server SDK sends no Origin and reads no CORS headers.
    const fromServer = await post(`/api/${key.projectId}/envelope/?sentry_key=${key._id}`, envelope([{ type: 'session', payload: {} }]))
    expect(fromServer.status).toBe(200)
    expect(fromServer.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('rate limits', () => {
  it('answers 429 with Retry-After and X-Sentry-Rate-Limits once the key limit is spent', async () => {
    const limited = (await h.createProject('Limited')).key
    await h.platform.projects.keys.put({ ...limited, rateLimitPerMinute: 3 })
    const url = `/api/${limited.projectId}/envelope/?sentry_key=${limited._id}`
    const statuses: number[] = []
    let last: Response | undefined
    for (let i = 0; i < 5; i++) {
      last = await post(url, envelope([{ type: 'event', payload: errorEvent() }]))
      statuses.push(last.status)
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429])
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(last!.headers.get('x-sentry-rate-limits')).toMatch(/^\d+::key:/)
    await drainBus()
  })
})
