/**
 * Issue 2's benchmark, in one run on this machine, for a typical 3 KB Sentry error event:
 * the bare-hono ceiling; ingest acks/s and ack latency; end-to-end events/s (accepted → stored
 * in ClickHouse) and accepted → queryable latency; issue-list latency over 1M events in 10k
 * issues; peak RSS. Embedded profile, then the cluster profile (nats-server, redis-server, chDB).
 *
 *   npm run bench -- pipeline          (BENCH_SECONDS=15 by default per load phase)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { getFreePort, startNatsServer, startRedisServer } from '@faultline/core/testing'
import { envelopeBody, typicalEvent } from './typical-event'
import { createProjectIn, spawnFaultline, type FaultlineProcess } from '../support/processes'
import { peakRssMiB, repoRoot, runTs, startTs } from './processes'

const seconds = Number(process.env.BENCH_SECONDS ?? 15)
const concurrency = 64
const variants = 1000

interface LoadSummary {
  requests: number
  perSecond: number
  ok: number
  okPerSecond: number
  statuses: Record<string, number>
  latencyMs: { p50: number; p95: number; p99: number; max: number }
  bodyBytes: number
}

interface Project {
  projectId: string
  dsn: string
  apiToken: string
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN
}

function load(url: string, mode: 'closed' | 'open', rate?: number): Promise<LoadSummary> {
  return runTs<LoadSummary>('tests/bench/load-generator.ts', [JSON.stringify({ url, mode, rate, concurrency, durationMs: seconds * 1000, variants })])
}

function ingestUrl(base: string, project: Project): string {
  const key = new URL(project.dsn).username
  return `${base}/api/${project.projectId}/envelope/?sentry_key=${key}&sentry_version=7`
}

async function storedCount(metricsUrl: string): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text()
  return Number(/faultline_processor_messages_total\{result="stored"\} (\d+)/.exec(text)?.[1] ?? 0)
}

async function ceiling(): Promise<LoadSummary> {
  const port = await getFreePort()
  const server = startTs('tests/bench/bare-hono.ts', [], { PORT: String(port) })
  await server.firstLine
  try {
    return await load(`http://127.0.0.1:${port}/api/1/envelope/`, 'closed')
  } finally {
    server.child.kill('SIGTERM')
  }
}

/** Saturates ingest, and follows the processor's stored count until everything acked is stored. */
async function saturation(ingest: string, metrics: string, project: Project) {
  const before = await storedCount(metrics)
  const started = Date.now()
  const result = await load(ingestUrl(ingest, project), 'closed')
  const deadline = Date.now() + 180_000
  let stored = 0
  while (Date.now() < deadline) {
    stored = (await storedCount(metrics)) - before
    if (stored >= result.ok) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const elapsed = (Date.now() - started) / 1000
  return { ack: result, stored, e2ePerSecond: stored / elapsed, drainSeconds: elapsed - seconds }
}

/** Open loop at `rate`, with probe events whose accepted → queryable time is measured through the API. */
async function steady(ingest: string, api: string, project: Project, rate: number) {
  const probeLatencies: number[] = []
  const generator = load(ingestUrl(ingest, project), 'open', rate)
  const stopAt = Date.now() + seconds * 1000 - 2000
  const probes: Promise<void>[] = []
  while (Date.now() < stopAt) {
    probes.push(
      (async () => {
        const event = typicalEvent(77_777)
        const response = await fetch(ingestUrl(ingest, project), { method: 'POST', body: envelopeBody(event) })
        await response.arrayBuffer()
        if (response.status !== 200) return
        const acked = performance.now()
        for (let i = 0; i < 500; i++) {
          const found = await fetch(`${api}/api/v1/projects/${project.projectId}/events/${event.event_id}`, { headers: { authorization: `Bearer ${project.apiToken}` } })
          await found.arrayBuffer()
          if (found.status === 200) return void probeLatencies.push(performance.now() - acked)
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      })(),
    )
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const [ack] = await Promise.all([generator, ...probes])
  return { ack, queryableMs: { p50: percentile(probeLatencies, 50), p95: percentile(probeLatencies, 95), samples: probeLatencies.length } }
}

async function issueList(api: string, project: Project) {
  const queries = ['', '&sort=events', '&sort=users', '&sort=first_seen', '&environment=staging', '&query=paymenterror42', '&level=fatal', '&release=shop@1.7', '&status=all&sort=events']
  const latencies: number[] = []
  let cursor: string | null = null
  for (let i = 0; i < 300; i++) {
    const extra = i % 10 === 9 && cursor ? `&cursor=${cursor}` : queries[i % queries.length]
    const started = performance.now()
    const response = await fetch(`${api}/api/v1/projects/${project.projectId}/issues?stats=24h${extra}`, { headers: { authorization: `Bearer ${project.apiToken}` } })
    const body = (await response.json()) as { nextCursor: string | null }
    latencies.push(performance.now() - started)
    if (response.status !== 200) throw new Error(`issue list answered ${response.status}`)
    if (i % 10 === 0) cursor = body.nextCursor
  }
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), requests: latencies.length }
}

const unlimited = { KEY_RATE_LIMIT_PER_MINUTE: '0', PROJECT_QUOTA_PER_MINUTE: '0', BUS_MAX_BACKLOG: '100000000', API_RATE_LIMIT_PER_MINUTE: '0', API_IP_RATE_LIMIT_PER_MINUTE: '0' }
/** `/metrics` on its own loopback address (the main port serves it to instance administrators only). */
const metricsEnv = async () => {
  const port = await getFreePort()
  return { env: { METRICS_LISTEN: `127.0.0.1:${port}` }, url: `http://127.0.0.1:${port}` }
}

const createProject = (dataDir: string, name: string): Promise<Project> => createProjectIn(dataDir, name)

async function embedded(ceilingRate: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-bench-'))
  try {
    const project = await createProject(dataDir, 'bench')
    const metrics = await metricsEnv()
    let server: FaultlineProcess = await spawnFaultline({ dataDir, env: { ...unlimited, ...metrics.env }, readyTimeoutMs: 60_000 })
    const sat = await saturation(server.url, metrics.url, project)
    const steadyRate = Math.max(1, Math.round(sat.e2ePerSecond / 2))
    const std = await steady(server.url, server.url, project, steadyRate)
    const rssLoad = peakRssMiB(server.pid)
    await server.stop()

    const seeded = await createProject(dataDir, 'seeded')
    const seed = await runTs<{ seconds: number }>('tests/bench/seed-issues.ts', [seeded.projectId, '1000000', '10000'], { DATA_DIR: dataDir })
    server = await spawnFaultline({ dataDir, env: unlimited, readyTimeoutMs: 60_000 })
    const list = await issueList(server.url, seeded)
    const rssList = peakRssMiB(server.pid)
    await server.stop()
    return { ceilingRate, sat, steadyRate, std, list, seedSeconds: seed.seconds, peakRssMiB: Math.max(rssLoad, rssList), rss: { load: rssLoad, issueList: rssList } }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function cluster() {
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-bench-cluster-'))
  const nats = await startNatsServer()
  const redis = await startRedisServer()
  const env = { NATS_URL: nats.url, REDIS_URL: redis.url, ...unlimited }
  const processes: FaultlineProcess[] = []
  try {
    const project = await createProject(dataDir, 'bench')
    const metrics = await metricsEnv()
    const processor = await spawnFaultline({ dataDir, env: { ...env, ...metrics.env, ROLE: 'processor,api' }, readyTimeoutMs: 60_000 })
    processes.push(processor)
    const ingest = await spawnFaultline({ dataDir, env: { ...env, ROLE: 'ingest' }, readyTimeoutMs: 60_000 })
    processes.push(ingest)
    const sat = await saturation(ingest.url, metrics.url, project)
    const steadyRate = Math.max(1, Math.round(sat.e2ePerSecond / 2))
    const std = await steady(ingest.url, processor.url, project, steadyRate)
    const rss = { ingest: peakRssMiB(ingest.pid), processorApi: peakRssMiB(processor.pid) }
    return { sat, steadyRate, std, rss, peakRssMiB: rss.ingest + rss.processorApi }
  } finally {
    for (const p of processes.reverse()) await p.stop()
    await redis.stop()
    await nats.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a')

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!
  console.log(`pipeline bench: ${seconds} s per load phase, ${concurrency} connections, events over ${variants} issues, load generator on this machine`)
  const bare = await ceiling()
  console.log(`  ceiling measured: ${fmt(bare.okPerSecond)} req/s (${bare.bodyBytes} B bodies)`)
  const emb = await embedded(bare.okPerSecond)
  console.log('  embedded profile measured')
  const clu = await cluster()
  console.log('  cluster profile measured')
  const rows: [string, string, string, string][] = [
    ['bare hono ceiling (req/s)', fmt(bare.okPerSecond), '', ''],
    ['ingest acks/s (saturated, 64 conns)', fmt(emb.sat.ack.okPerSecond), fmt(clu.sat.ack.okPerSecond), ''],
    ['ack latency p50 / p99 saturated (ms)', `${fmt(emb.sat.ack.latencyMs.p50, 1)} / ${fmt(emb.sat.ack.latencyMs.p99, 1)}`, `${fmt(clu.sat.ack.latencyMs.p50, 1)} / ${fmt(clu.sat.ack.latencyMs.p99, 1)}`, ''],
    ['end-to-end sustained (events/s)', fmt(emb.sat.e2ePerSecond), fmt(clu.sat.e2ePerSecond), `≥ ${fmt(bare.okPerSecond * 0.3)} (30% of ceiling)`],
    ['  stored / acked, drain after load (s)', `${emb.sat.stored} / ${emb.sat.ack.ok}, ${fmt(emb.sat.drainSeconds, 1)}`, `${clu.sat.stored} / ${clu.sat.ack.ok}, ${fmt(clu.sat.drainSeconds, 1)}`, 'all stored'],
    ['  as share of ceiling', `${fmt((100 * emb.sat.e2ePerSecond) / bare.okPerSecond, 1)}%`, `${fmt((100 * clu.sat.e2ePerSecond) / bare.okPerSecond, 1)}%`, '≥ 30%'],
    ['open-loop rate = half of e2e (events/s)', fmt(emb.steadyRate), fmt(clu.steadyRate), ''],
    ['ack latency p50 / p99 at that rate (ms)', `${fmt(emb.std.ack.latencyMs.p50, 1)} / ${fmt(emb.std.ack.latencyMs.p99, 1)}`, `${fmt(clu.std.ack.latencyMs.p50, 1)} / ${fmt(clu.std.ack.latencyMs.p99, 1)}`, 'p99 ≤ 50'],
    ['accepted → queryable p50 / p95 (ms)', `${fmt(emb.std.queryableMs.p50)} / ${fmt(emb.std.queryableMs.p95)}`, `${fmt(clu.std.queryableMs.p50)} / ${fmt(clu.std.queryableMs.p95)}`, 'p95 ≤ 2000'],
    ['issue list p50 / p95, 1M events, 10k issues (ms)', `${fmt(emb.list.p50, 1)} / ${fmt(emb.list.p95, 1)}`, '(same chDB store)', 'p95 ≤ 100'],
    ['peak RSS (MiB)', fmt(emb.peakRssMiB), `${fmt(clu.peakRssMiB)} (ingest ${fmt(clu.rss.ingest)} + processor/api ${fmt(clu.rss.processorApi)})`, '≤ 1536'],
  ]
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['figure', 'embedded', 'cluster', 'target'][i]!.length))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')
  console.log('\n' + line(['figure', 'embedded', 'cluster', 'target']))
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'))
  for (const row of rows) console.log(line(row))
  console.log(`\nload average (1 min) before: ${loadBefore.toFixed(2)}, after: ${loadavg()[0]!.toFixed(2)}; 1M-event seed took ${fmt(emb.seedSeconds, 1)} s`)
  mkdirSync(join(repoRoot, '.bench'), { recursive: true })
  writeFileSync(join(repoRoot, '.bench', 'pipeline.json'), JSON.stringify({ at: new Date().toISOString(), seconds, bare, embedded: emb, cluster: clu }, null, 2))
}

await main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
