import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Client, createEnvelope, createTransport, parseDsn, getEnvelopeEndpointWithAuth } from '@faultline/sdk-core'
import { captureException, captureMessage, close, flush, getClient, init } from '../index'
import { flushDeadlineMs, startFakeIngest, type FakeIngest } from '../testing'
import { makeNodeRequest } from './http-transport'
import { withOutbox } from './outbox'

let ingest: FakeIngest
beforeAll(async () => {
  ingest = await startFakeIngest()
})
afterEach(async () => {
  await close(500)
  ingest.requests.length = 0
  ingest.setReply(() => ({ status: 200 }))
})
afterAll(() => ingest.close())

const sdk = { name: 'faultline.node', version: '0.1.0' }
const url = () => getEnvelopeEndpointWithAuth(parseDsn(ingest.dsn), sdk)

describe('node http transport', () => {
  it('posts to the envelope endpoint with auth in the query, gzips large bodies and reuses sockets', async () => {
    const transport = createTransport({}, makeNodeRequest(url()))
    await transport.send(createEnvelope({}, [[{ type: 'event' }, { message: 'small' }]]))
    await transport.send(createEnvelope({}, [[{ type: 'event' }, { message: 'x'.repeat(40_000) }]]))
    await transport.send(createEnvelope({}, [[{ type: 'event' }, { message: 'again' }]]))
    const [small, large, again] = ingest.requests
    expect(small!.url).toMatch(/^\/api\/1\/envelope\/\?sentry_key=publickey&sentry_version=7&sentry_client=faultline\.node%2F0\.1\.0$/)
    expect(small!.headers['content-type']).toBe('application/x-sentry-envelope')
    expect(small!.headers['content-encoding']).toBeUndefined()
    expect(large!.headers['content-encoding']).toBe('gzip')
    expect(large!.bodyBytes).toBeLessThan(1000)
    expect((large!.envelope![1][0]![1] as { message: string }).message).toHaveLength(40_000)
    expect(new Set([small!.remotePort, large!.remotePort, again!.remotePort]).size).toBe(1)
  })

  it('sends valid extra headers and a Host override, and leaves out invalid or framing headers', async () => {
    const headers = { 'x-proxy-token': 'abc', host: 'ingest.example', 'content-type': 'text/plain', 'content-length': '1', 'bad name': 'x', 'x-split': 'a\r\nx-injected: 1' }
    const transport = createTransport({ maxRetries: 0 }, makeNodeRequest(url(), { headers }))
    expect(await transport.send(createEnvelope({}, [[{ type: 'event' }, { message: 'with headers' }]]))).toEqual({ kind: 'sent', statusCode: 200 })
    const [request] = ingest.requests
    expect(request!.headers).toMatchObject({ 'x-proxy-token': 'abc', host: 'ingest.example', 'content-type': 'application/x-sentry-envelope' })
    expect(request!.headers['x-injected']).toBeUndefined()
    expect(request!.headers['x-split']).toBeUndefined()
    expect((request!.envelope![1][0]![1] as { message: string }).message).toBe('with headers')
  })

  it('holds back for the announced time after a 429 and reports what it dropped', async () => {
    ingest.setReply((req) => (req.envelope?.[1][0]?.[0].type === 'event' ? { status: 429, headers: { 'retry-after': '1', 'x-sentry-rate-limits': '1:error:key' } } : { status: 200 }))
    init({ dsn: ingest.dsn, globalHandlers: false, clientReportDelayMs: 50 })
    captureMessage('first')
    await flush(flushDeadlineMs)
    // The drop is reported on flush, in a client report of its own.
    expect(ingest.events()).toHaveLength(1)
    expect(ingest.clientReports()).toEqual([{ reason: 'ratelimit_backoff', category: 'error', quantity: 1 }])
    ingest.requests.length = 0
    ingest.setReply(() => ({ status: 200 }))
    for (let i = 0; i < 5; i++) captureMessage(`held ${i}`)
    await flush(flushDeadlineMs)
    // Held back without sending a single event: the limit is known locally. Only the report goes out.
    expect(ingest.events()).toHaveLength(0)
    expect(ingest.clientReports()).toEqual([{ reason: 'ratelimit_backoff', category: 'error', quantity: 5 }])
    expect(getClient()!.pendingOutcomes()).toEqual({})
    ingest.requests.length = 0
    // Waiting out the announced second is the point here: the wait is the input, not a synchronization.
    await new Promise((r) => setTimeout(r, 1100))
    captureMessage('after the limit')
    await flush(flushDeadlineMs)
    expect(ingest.events().map((e) => e.message)).toEqual(['after the limit'])
  })

  it('times out a stuck ingest without hanging the SDK', async () => {
    // Answered after 10 s it would be 'sent': 'dropped' as a network error can only be the 200 ms timeout.
    ingest.setReply(() => ({ delayMs: 10_000 }))
    const transport = createTransport({ maxRetries: 0 }, makeNodeRequest(url(), { timeoutMs: 200 }))
    expect(await transport.send(createEnvelope({}, [[{ type: 'event' }, {}]]))).toEqual({ kind: 'dropped', reason: 'network_error' })
  })
})

describe('outbox', () => {
  it('keeps envelopes the ingest did not take and sends them at the next init', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-outbox-'))
    try {
      ingest.setReply(() => ({ garbage: 'not http' }))
      init({ dsn: ingest.dsn, globalHandlers: false, outboxDir: dir, transportOptions: { maxRetries: 0 } })
      captureException(new Error('while ingest is broken'))
      captureMessage('second')
      await flush(2000)
      expect(ingest.requests.length).toBeGreaterThanOrEqual(2)
      ingest.requests.length = 0
      // Two events and the client report counting their network_error drops.
      expect((await readdir(dir)).filter((n) => n.endsWith('.envelope'))).toHaveLength(3)
      await close(100)

      ingest.setReply(() => ({ status: 200 }))
      init({ dsn: ingest.dsn, globalHandlers: false, outboxDir: dir })
      const events = await ingest.waitFor(() => ingest.events().length === 2 && ingest.events())
      expect(events.map((e) => e.message ?? e.exception!.values[0]!.value).sort()).toEqual(['second', 'while ingest is broken'])
      await flush(flushDeadlineMs)
      expect((await readdir(dir)).filter((n) => n.endsWith('.envelope'))).toHaveLength(0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('is bounded by maxFiles', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-outbox-'))
    try {
      const inner = createTransport({ maxRetries: 0, bufferSize: 100 }, async () => {
        throw new Error('down')
      })
      const outbox = withOutbox(inner, { dir, maxFiles: 3 })
      await Promise.all(Array.from({ length: 10 }, (_, i) => outbox.send(createEnvelope({}, [[{ type: 'event' }, { message: String(i) }]]))))
      expect(await readdir(dir)).toHaveLength(3)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('client without a global init', () => {
  it('is usable directly with the node request', async () => {
    const client = new Client({ dsn: ingest.dsn }, { sdk, platform: 'node', stackParser: () => [], makeRequest: (u) => makeNodeRequest(u) })
    client.captureMessage('direct')
    await client.flush(flushDeadlineMs)
    expect(ingest.events()[0]!.message).toBe('direct')
    expect(getClient()).toBeUndefined()
  })
})
