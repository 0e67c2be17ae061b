/**
 * HTTP load generator, run as its own process so it does not share an event loop with the
 * server it measures. Closed loop (N requests in flight) or open loop (a fixed rate). Bodies are
 * Sentry envelopes of a typical error event, or NDJSON batches of security events
 * (`"body": "security-ndjson"`, `eventsPerRequest` each) for the generic security endpoint.
 * Prints one JSON summary line on stdout, with the generator's own CPU time.
 *
 *   tsx tests/bench/load-generator.ts '{"url": "...", "mode": "closed", "concurrency": 64, "durationMs": 10000, "variants": 1000}'
 */
import http from 'node:http'
import { randomBytes } from 'node:crypto'
import { securityBenchEvent } from './security-bench-event'
import { envelopeBody, typicalEvent } from './typical-event'

interface LoadOptions {
  url: string
  mode: 'closed' | 'open'
  concurrency: number
  /** Requests per second, open loop only. */
  rate?: number
  durationMs: number
  /** Distinct call paths (issues) the envelope events spread over. */
  variants: number
  body?: 'envelope' | 'security-ndjson'
  /** Security events per NDJSON request. */
  eventsPerRequest?: number
}

const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions
const idPlaceholder = 'e'.repeat(32)
const variantPlaceholder = 'handleOrder99999'

// One body template; per request only fixed-width fields change, so `length` stays right.
const template = envelopeBody({ ...typicalEvent(99_999), event_id: idPlaceholder }).replaceAll(idPlaceholder, '\u0000ID\u0000'.padEnd(32, '\u0001'))
function nextEnvelope(sequence: number): string {
  const id = randomBytes(16).toString('hex')
  const variant = `handleOrder${String(sequence % options.variants).padStart(5, '0')}`
  return template.replaceAll('\u0000ID\u0000'.padEnd(32, '\u0001'), id).replaceAll(variantPlaceholder, variant)
}

const eventsPerRequest = options.eventsPerRequest ?? 500
function nextNdjson(sequence: number): string {
  const lines: string[] = []
  for (let i = 0; i < eventsPerRequest; i++) lines.push(JSON.stringify(securityBenchEvent(sequence * eventsPerRequest + i)))
  return lines.join('\n')
}

const security = options.body === 'security-ndjson'
const nextBody = security ? nextNdjson : nextEnvelope
const contentType = security ? 'application/x-ndjson' : 'application/x-sentry-envelope'

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
      { hostname: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } },
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
  const cpuBefore = process.cpuUsage()
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
  const cpu = process.cpuUsage(cpuBefore)
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
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  }
  process.stdout.write(JSON.stringify(summary) + '\n')
  agent.destroy()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
