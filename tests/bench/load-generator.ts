/**
 * HTTP load generator, run as its own process so it does not share an event loop with the
 * server it measures. Closed loop (N requests in flight) or open loop (a fixed rate).
 * Prints one JSON summary line on stdout.
 *
 *   tsx tests/bench/load-generator.ts '{"url": "...", "mode": "closed", "concurrency": 64, "durationMs": 10000, "variants": 1000}'
 */
import http from 'node:http'
import { randomBytes } from 'node:crypto'
import { envelopeBody, typicalEvent } from './typical-event'

interface LoadOptions {
  url: string
  mode: 'closed' | 'open'
  concurrency: number
  /** Requests per second, open loop only. */
  rate?: number
  durationMs: number
  /** Distinct call paths (issues) the events spread over. */
  variants: number
}

const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions
const idPlaceholder = 'e'.repeat(32)
const variantPlaceholder = 'handleOrder99999'

// One body template; per request only fixed-width fields change, so `length` stays right.
const template = envelopeBody({ ...typicalEvent(99_999), event_id: idPlaceholder }).replaceAll(idPlaceholder, '\u0000ID\u0000'.padEnd(32, '\u0001'))
function nextBody(sequence: number): string {
  const id = randomBytes(16).toString('hex')
  const variant = `handleOrder${String(sequence % options.variants).padStart(5, '0')}`
  return template.replaceAll('\u0000ID\u0000'.padEnd(32, '\u0001'), id).replaceAll(variantPlaceholder, variant)
}

const target = new URL(options.url)
const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency })
const latencies: number[] = []
const statuses: Record<string, number> = {}
let sent = 0
let inFlight = 0

function send(): Promise<void> {
  const body = nextBody(sent++)
  const started = performance.now()
  inFlight++
  return new Promise((resolve) => {
    const request = http.request(
      { hostname: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', agent, headers: { 'content-type': 'application/x-sentry-envelope', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume()
        response.on('end', () => {
          latencies.push(performance.now() - started)
          statuses[response.statusCode ?? 0] = (statuses[response.statusCode ?? 0] ?? 0) + 1
          inFlight--
          resolve()
        })
      },
    )
    request.on('error', (error) => {
      statuses[`error:${error.message}`] = (statuses[`error:${error.message}`] ?? 0) + 1
      inFlight--
      resolve()
    })
    request.end(body)
  })
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

async function main(): Promise<void> {
  const started = performance.now()
  const deadline = started + options.durationMs
  if (options.mode === 'closed') {
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < deadline) await send()
      }),
    )
  } else {
    const interval = 1000 / (options.rate ?? 100)
    let next = started
    const pending: Promise<void>[] = []
    while (performance.now() < deadline) {
      const now = performance.now()
      while (next <= now) {
        // Open loop: requests go out on schedule whatever the server's latency.
        if (inFlight < options.concurrency) pending.push(send())
        else statuses.skipped = (statuses.skipped ?? 0) + 1
        next += interval
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(5, next - performance.now()))))
    }
    await Promise.all(pending)
  }
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const summary = {
    requests: latencies.length,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    ok: statuses['200'] ?? 0,
    okPerSecond: (statuses['200'] ?? 0) / elapsed,
    statuses,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies.at(-1) ?? NaN },
    bodyBytes: Buffer.byteLength(nextBody(0)),
  }
  process.stdout.write(JSON.stringify(summary) + '\n')
  agent.destroy()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
