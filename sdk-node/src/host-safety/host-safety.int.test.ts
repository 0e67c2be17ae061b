import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureException, close, flush, getClient, init, setTag, wrapHandler } from '../index'
import { startFakeIngest, type FakeIngest, type IngestReply } from '../testing'

/**
 * The host app must not notice a failing ingest: its own requests keep their latency, the SDK's
 * memory stays bounded, and nothing escapes as an unhandled rejection.
 */
const escaped: unknown[] = []
const onRejection = (reason: unknown): void => void escaped.push(reason)
let app: http.Server
let appUrl: string
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })

beforeAll(async () => {
  process.on('unhandledRejection', onRejection)
  app = http.createServer(
    wrapHandler((req, res) => {
      setTag('path', req.url ?? '')
      // Worst case for the SDK: every request reports an error.
      captureException(new Error(`handled failure ${req.url}`))
      res.end('ok')
    }),
  )
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r))
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`
})
afterAll(async () => {
  process.off('unhandledRejection', onRejection)
  agent.destroy()
  app.closeAllConnections()
  await new Promise((r) => app.close(r))
})

function get(path: string): Promise<number> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    http
      .get(`${appUrl}${path}`, { agent }, (res) => {
        res.resume()
        res.on('end', () => resolve(performance.now() - started))
      })
      .on('error', reject)
  })
}

async function measure(n: number): Promise<{ p50: number; p95: number }> {
  const times: number[] = []
  for (let i = 0; i < n; i++) times.push(await get(`/r${i}`))
  times.sort((a, b) => a - b)
  return { p50: times[Math.floor(n * 0.5)]!, p95: times[Math.floor(n * 0.95)]! }
}

async function freePort(): Promise<number> {
  const s = http.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as AddressInfo
  await new Promise((r) => s.close(r))
  return port
}

const scenarios: [string, IngestReply][] = [
  ['slow (10 s)', { delayMs: 10_000 }],
  ['500s', { status: 500, body: 'internal error' }],
  ['garbage', { garbage: '\u0000\u0001 not http at all' }],
  ['200 with garbage body', { status: 200, body: '<html>oops' }],
  ['429 with limits', { status: 429, headers: { 'retry-after': '60', 'x-sentry-rate-limits': '60::organization' } }],
]

describe('host safety', () => {
  let baseline: { p50: number; p95: number }
  let ingest: FakeIngest

  beforeAll(async () => {
    ingest = await startFakeIngest()
    init({ dsn: ingest.dsn, globalHandlers: false, consoleBreadcrumbs: false, transportOptions: { retryInitialMs: 50 } })
    await measure(50) // warm-up
    baseline = await measure(200)
    await flush(2000)
    await close(100)
  })
  afterAll(() => ingest.close())

  const bound = (): number => Math.max(baseline.p95 * 3, baseline.p95 + 15)

  it('keeps latency with an unreachable ingest', async () => {
    init({ dsn: `http://k@127.0.0.1:${await freePort()}/1`, globalHandlers: false, consoleBreadcrumbs: false, transportOptions: { retryInitialMs: 50 } })
    const measured = await measure(200)
    console.log(`baseline p50 ${baseline.p50.toFixed(2)} ms p95 ${baseline.p95.toFixed(2)} ms; unreachable p50 ${measured.p50.toFixed(2)} p95 ${measured.p95.toFixed(2)}`)
    expect(measured.p95).toBeLessThan(bound())
    await close(0)
  })

  it.each(scenarios)('keeps latency and bounded memory with an ingest answering %s', async (name, reply) => {
    const failing = await startFakeIngest()
    failing.setReply(() => reply)
    init({ dsn: failing.dsn, globalHandlers: false, consoleBreadcrumbs: false, transportOptions: { retryInitialMs: 50, bufferSize: 64 }, clientReportDelayMs: 60_000 })
    const heapBefore = process.memoryUsage().heapUsed
    const measured = await measure(300)
    console.log(`${name}: p50 ${measured.p50.toFixed(2)} ms p95 ${measured.p95.toFixed(2)} ms (bound ${bound().toFixed(2)})`)
    expect(measured.p95).toBeLessThan(bound())
    if (name.startsWith('slow')) {
      // 300 errors against an ingest that never answers: at most bufferSize are held, the rest counted.
      expect(getClient()!.pendingOutcomes()['queue_overflow:error']).toBeGreaterThanOrEqual(300 - 64 - 1)
      expect(failing.requests.length).toBeLessThanOrEqual(64)
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024)
    }
    if (name.startsWith('429')) {
      // Only the requests already in flight when the first 429 came back reach ingest.
      expect(failing.requests.length).toBeLessThanOrEqual(10)
      expect(getClient()!.pendingOutcomes()['ratelimit_backoff:error']).toBe(300)
    }
    expect(await flush(50).then(() => true)).toBe(true)
    await close(0)
    await failing.close()
  })

  it('let no rejection escape into the host', async () => {
    await new Promise((r) => setTimeout(r, 300))
    expect(escaped).toEqual([])
  })
})
