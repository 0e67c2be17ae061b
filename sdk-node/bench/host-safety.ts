/**
 * What a failing ingest does to the latency of the app the SDK lives in: p50/p95 of 300 sequential
 * requests to a node:http app whose every request reports an error, with a healthy ingest, an
 * unreachable one and each failing one. The host-safety test checks that the app keeps answering
 * and the SDK's memory stays bounded; the latency is measured here.
 *
 *   npm run bench -- host-safety
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { captureException, close, init, setTag, wrapHandler } from '../src/index'
import { failingIngestReplies, startFakeIngest, type IngestReply } from '../src/testing'

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
const app = http.createServer(
  wrapHandler((req, res) => {
    setTag('path', req.url ?? '')
    captureException(new Error(`handled failure ${req.url}`))
    res.end('ok')
  }),
)
await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`

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

async function latency(n: number): Promise<{ p50: number; p95: number }> {
  const times: number[] = []
  for (let i = 0; i < n; i++) times.push(await get(`/r${i}`))
  times.sort((a, b) => a - b)
  return { p50: times[Math.floor(n * 0.5)]!, p95: times[Math.floor(n * 0.95)]! }
}

async function scenario(name: string, reply: IngestReply | 'unreachable'): Promise<void> {
  const ingest = await startFakeIngest()
  if (reply === 'unreachable') await ingest.close()
  else ingest.setReply(() => reply)
  init({ dsn: ingest.dsn, globalHandlers: false, consoleBreadcrumbs: false, transportOptions: { retryInitialMs: 50, bufferSize: 64 }, clientReportDelayMs: 60_000 })
  await latency(50) // warm-up
  const { p50, p95 } = await latency(300)
  console.log(`  ${name.padEnd(24)} p50 ${p50.toFixed(2).padStart(6)} ms   p95 ${p95.toFixed(2).padStart(6)} ms`)
  await close(0)
  if (reply !== 'unreachable') await ingest.close()
}

console.log('host app latency, 300 sequential requests, each reporting an error')
await scenario('healthy ingest', { status: 200 })
await scenario('unreachable ingest', 'unreachable')
for (const [name, reply] of failingIngestReplies) await scenario(name, reply)
agent.destroy()
app.closeAllConnections()
app.close()
