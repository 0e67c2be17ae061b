import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureException, close, flush, getClient, init, setTag, wrapHandler } from '../index'
import { failingIngestReplies, startFakeIngest } from '../testing'

/**
 * The host app must not notice a failing ingest: its own requests are answered without waiting on
 * the SDK, the SDK's memory stays bounded, and nothing escapes as an unhandled rejection. What the
 * failures do to the app's latency is measured by `npm run bench -- host-safety`.
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

/** `n` requests to the app, one after the other; resolves with their statuses. */
async function requests(n: number): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < n; i++) {
    statuses.push(
      await new Promise<number>((resolve, reject) => {
        http
          .get(`${appUrl}/r${i}`, { agent }, (res) => {
            res.resume()
            res.on('end', () => resolve(res.statusCode ?? 0))
          })
          .on('error', reject)
      }),
    )
  }
  return statuses
}

async function freePort(): Promise<number> {
  const s = http.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as AddressInfo
  await new Promise((r) => s.close(r))
  return port
}

/** Unhandled rejections are reported once the microtasks of the turn that caused them ran. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

describe('host safety', () => {
  it('keeps answering with an unreachable ingest', async () => {
    init({ dsn: `http://k@127.0.0.1:${await freePort()}/1`, globalHandlers: false, consoleBreadcrumbs: false, transportOptions: { retryInitialMs: 50 } })
    expect(await requests(200)).toEqual(Array(200).fill(200))
    await close(0)
  })

  it.each(failingIngestReplies)('keeps answering, with bounded memory, with an ingest answering %s', async (name, reply) => {
    const failing = await startFakeIngest()
    failing.setReply(() => reply)
    init({ dsn: failing.dsn, globalHandlers: false, consoleBreadcrumbs: false, transportOptions: { retryInitialMs: 50, bufferSize: 64 }, clientReportDelayMs: 60_000 })
    const heapBefore = process.memoryUsage().heapUsed
    // Against the slow ingest, these return long before it answers anything: nothing waits on it.
    expect(await requests(300)).toEqual(Array(300).fill(200))
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
    await nextTurn()
    expect(escaped).toEqual([])
  })
})
