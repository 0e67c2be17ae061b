/**
 * Issue 15's benchmark on the embedded profile, Faultline in this process (processor in its worker
 * thread, as `npm start` runs it):
 * 1. security events/s end to end: NDJSON batches to the generic endpoint, sent by the load
 *    generator in its own process (so this process's CPU is Faultline's), until the processor has
 *    stored them all (counted in ClickHouse), mixed actions over many addresses and users so the
 *    detections have work;
 * 2. detection latency: brute-force bursts sent during that load, each from its own address,
 *    timed from the request carrying the burst's tenth event to its signal on the bus;
 * 1 and 2 run twice: saturated (senders as fast as ingest answers; the latency then measures the
 *    backlog) and paced at BENCH_PACED_FRACTION (0.25: small batches cost about twice the CPU per event of
 *    saturated ones, so half the saturated rate was no longer below saturation) of the saturated end-to-end rate, or at
 *    BENCH_PACED_RATE events/s to compare two builds at the same load. CPU per
 *    event is also given as a multiple of a JSON parse+stringify of the event in the same run;
 * 3. timeline search p95 and pivot p95 through the API over 10M events generated inside ClickHouse
 *    (INSERT … SELECT FROM numbers(), not through ingest), spread over 7 days, with their entity rows
 *    written by the view; and the organization-level list over that project and
 *    BENCH_ORG_PROJECTS (9) others of BENCH_ORG_PROJECT_ROWS (100,000) events each.
 *
 *   npm run bench -- security     (BENCH_SECONDS=20 load, BENCH_ROWS=10000000 (0 skips 3), BENCH_RUNS=20,
 *                                  BENCH_PHASES=1,2,3 (3 alone: only the search), BENCH_OPTIMIZE=1 merges parts before 3,
 *                                  BENCH_KEEP_DATA=1 keeps the data directory, BENCH_DATA_DIR=<it> queries it again without loading)
 */
import { randomUUID } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { decodeSignalMessage } from '@faultline/core/detections'
import { createApiToken } from '@faultline/core/accounts'
import { createProject } from '@faultline/core/projects'
import { permissionsOf } from '@faultline/api'
import { startFaultline, type TestFaultline } from '../support/faultline'
import { runTs } from './processes'
import { securityBenchEvent } from './security-bench-event'

const seconds = Number(process.env.BENCH_SECONDS ?? 20)
const rows = Number(process.env.BENCH_ROWS ?? 10_000_000)
const runs = Number(process.env.BENCH_RUNS ?? 20)
/** Which phases run (1 and 2 run together): BENCH_PHASES=3 measures only the search over the bulk load. */
const phases = new Set((process.env.BENCH_PHASES ?? '1,2,3').split(',').map((p) => p.trim()))
/** Phase 3's other projects, for the organization-level list: how many, and the events in each. */
const orgProjects = Number(process.env.BENCH_ORG_PROJECTS ?? 9)
const orgProjectRows = Number(process.env.BENCH_ORG_PROJECT_ROWS ?? 100_000)
/** BENCH_OPTIMIZE=1 merges the tables' parts (OPTIMIZE … FINAL) before phase 3's queries; production never does. */
const optimizeParts = process.env.BENCH_OPTIMIZE === '1'
/** BENCH_KEEP_DATA=1 leaves the data directory (printed) in place, to query the loaded events again. */
const keepData = process.env.BENCH_KEEP_DATA === '1'
/** BENCH_DATA_DIR=<kept directory> with BENCH_PHASES=3: phase 3's queries again over that run's events, no load. */
const reusedDataDir = process.env.BENCH_DATA_DIR
const batch = 500
const concurrency = 4
/** The paced run's rate as a fraction of the saturated run's end-to-end rate. */
const pacedFraction = Number(process.env.BENCH_PACED_FRACTION ?? 0.25)
/** A fixed rate for the paced run instead (events/s), to compare two builds at the same load. */
const pacedRate = process.env.BENCH_PACED_RATE ? Number(process.env.BENCH_PACED_RATE) : undefined

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN
}
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')

async function post(fl: TestFaultline, lines: string[]): Promise<void> {
  const response = await fetch(`${fl.url}/api/${fl.projectId}/security/events/?sentry_key=${fl.publicKey}`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: lines.join('\n') })
  if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${await response.text()}`)
}

async function stored(fl: TestFaultline): Promise<number> {
  return countEvents(fl, 'uniqExact(event_id)')
}

/**
 * Rows of the project, copies included: what the wait for the processor polls, every 200 ms. A
 * distinct count of the ids of 120k rows takes about 20 ms of CPU, count() 6: polled at that pace,
 * the distinct count alone was a tenth of a core, counted as Faultline's and taken from it.
 */
async function storedRows(fl: TestFaultline): Promise<number> {
  return countEvents(fl, 'count()')
}

async function countEvents(fl: TestFaultline, aggregate: string): Promise<number> {
  const { client, database } = fl.server.platform.eventStore
  const result = await client.query({ query: `SELECT ${aggregate} AS n FROM ${database}.security_events WHERE project_id = {p:UInt64}`, query_params: { p: Number(fl.projectId) }, format: 'JSONEachRow' })
  return Number((await result.json<{ n: number }>())[0]!.n)
}

/** Detection latencies, request carrying a burst's tenth failure → its signal on the bus, by the burst's address. */
class BurstClock {
  readonly sentAt = new Map<string, number>()
  readonly latencies: number[] = []
  #stoppedAt = Infinity

  /** Reads the `signals` subject until `stop`, then until every burst has its signal or 30 s more have passed. */
  async listen(fl: TestFaultline): Promise<void> {
    const seen = new Set<string>()
    while (performance.now() < this.#stoppedAt || (performance.now() < this.#stoppedAt + 30_000 && seen.size < this.sentAt.size)) {
      const messages = await fl.server.platform.bus.fetch('signals', 'bench', { max: 100, expiresMs: 100 })
      const now = performance.now()
      for (const message of messages) {
        const decoded = decodeSignalMessage(message.data)
        const ip = decoded.ok && decoded.message.ruleId === 'brute-force-single-ip' ? decoded.message.group['source.ip'] : undefined
        const at = ip ? this.sentAt.get(ip) : undefined
        if (at !== undefined && !seen.has(ip!)) {
          seen.add(ip!)
          this.latencies.push(now - at)
        }
        await message.ack()
      }
    }
  }

  stop(): void {
    this.#stoppedAt = performance.now()
  }
}

/** The load generator's summary (tests/bench/load-generator.ts). */
interface LoadSummary {
  ok: number
  /** Seconds of load, from its first request (the process's start-up excluded). */
  seconds: number
  statuses: Record<string, number>
  cpuSeconds: number
}

/**
 * `seconds` of load: the load generator's 4 senders posting NDJSON batches, either as fast as ingest
 * answers (`rate` undefined: saturation, where latency measures the backlog) or paced to `rate`
 * events/s (open loop); brute-force
 * bursts from their own addresses (`burstNet`.x.y) every 500 ms meanwhile. Waits until every event
 * is stored and every burst detected.
 */
async function endToEnd(fl: TestFaultline, burstNet: string, rate?: number) {
  const clock = new BurstClock()
  const storedBefore = await stored(fl)
  const rowsBefore = await storedRows(fl)
  let bursts = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  const url = `${fl.url}/api/${fl.projectId}/security/events/?sentry_key=${fl.publicKey}`
  const generator = { url, mode: rate === undefined ? 'closed' : 'open', rate: rate === undefined ? undefined : rate / batch, concurrency, durationMs: seconds * 1000, variants: 1, body: 'security-ndjson', eventsPerRequest: batch }
  const burster = async () => {
    for (let b = 0; performance.now() < deadline - 2_000; b++) {
      const ip = `${burstNet}.${b >> 8}.${b & 255}`
      const now = Date.now()
      const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ 'event.id': randomUUID(), 'event.action': 'authn_login_fail', '@timestamp': now - 900 + i * 100, 'source.ip': ip, 'user.name': 'admin' }))
      const at = performance.now()
      await post(fl, lines)
      clock.sentAt.set(ip, at)
      bursts++
      await sleep(500)
    }
  }
  const cpuBefore = process.cpuUsage()
  const threadsBefore = threadCpu()
  const listening = clock.listen(fl)
  const [generated] = await Promise.all([runTs<LoadSummary>('tests/bench/load-generator.ts', [JSON.stringify(generator)]), burster()])
  // Rates count from the generator's first request, not from its process's start-up.
  const loadStarted = performance.now() - generated.seconds * 1000
  const ingestSeconds = generated.seconds
  // An open loop skips a request when all senders are still waiting: counted, and shown.
  const refused = Object.entries(generated.statuses).filter(([status]) => status !== '200' && status !== 'skipped')
  if (refused.length > 0) throw new Error(`ingest refused requests: ${JSON.stringify(Object.fromEntries(refused))}`)
  const total = generated.ok * batch + bursts * 10
  let count = 0
  while ((await storedRows(fl)) - rowsBefore < total) await sleep(200)
  while ((count = (await stored(fl)) - storedBefore) < total) await sleep(200)
  const storedSeconds = (performance.now() - loadStarted) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  const threads = cpuByThread(threadsBefore, threadCpu())
  clock.stop()
  await listening
  const latencies = clock.latencies
  return {
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    generatorCpuSeconds: generated.cpuSeconds,
    skipped: generated.statuses.skipped ?? 0,
    threads,
    sent: total,
    ingestPerSecond: total / ingestSeconds,
    storedPerSecond: count / storedSeconds,
    storedSeconds,
    ingestSeconds,
    bursts,
    detected: latencies.length,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: Math.max(...latencies) },
  }
}

/**
 * CPU seconds of this process's threads by name (Linux /proc; empty elsewhere): the main thread
 * (ingest, API and the load generator), Node's other threads, chDB's named pools (queries, merges).
 */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>()
  let tasks: string[]
  try {
    tasks = readdirSync('/proc/self/task')
  } catch {
    return out
  }
  for (const task of tasks) {
    try {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8')
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const seconds = (Number(fields[11]) + Number(fields[12])) / 100 // utime + stime, in clock ticks of 1/100 s
      // Node names its other threads "node" alike: the processor's worker, libuv's pool (where chDB runs
      // the queries and inserts it is handed, besides its own ThreadPool) and V8's helpers.
      const kind = task === String(process.pid) ? 'main thread' : name === 'node' ? 'other node threads' : `chDB ${name.replace(/[0-9]+$/, '')}`
      out.set(kind, (out.get(kind) ?? 0) + seconds)
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out
}

function cpuByThread(before: Map<string, number>, after: Map<string, number>): string {
  return [...after]
    .map(([name, seconds]) => [name, seconds - (before.get(name) ?? 0)] as const)
    .filter(([, seconds]) => seconds >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s`)
    .join(', ')
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The same run's yardstick for CPU per event: one JSON.parse and one JSON.stringify of each of the
 * bench's events, the least any JSON pipeline does with an event once. The machine's speed (and the
 * other work on it) varies several-fold between runs; the ratio to this varies far less.
 */
function jsonRoundTripMicros(): number {
  const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify(securityBenchEvent(i)))
  const before = process.cpuUsage()
  let bytes = 0
  for (const line of lines) bytes += JSON.stringify(JSON.parse(line)).length
  const cpu = process.cpuUsage(before)
  if (bytes === 0) throw new Error('no events')
  return (cpu.user + cpu.system) / lines.length
}

function printEndToEnd(title: string, e2e: Awaited<ReturnType<typeof endToEnd>>, yardstick: number): void {
  const micros = (e2e.cpuSeconds * 1e6) / e2e.sent
  console.log(title)
  console.log(`  sent ${e2e.sent} events${e2e.skipped ? ` (${e2e.skipped} requests skipped: every sender was still waiting)` : ''}; ingest accepted ${e2e.ingestPerSecond.toFixed(0)} events/s; all stored after ${e2e.storedSeconds.toFixed(1)} s (${(e2e.storedSeconds - e2e.ingestSeconds).toFixed(1)} s after the last send): ${e2e.storedPerSecond.toFixed(0)} events/s end to end   (target ≥ 10,000/s)`)
  console.log(`  CPU: ${e2e.cpuSeconds.toFixed(1)} s over all threads of Faultline's process (the load generator's own process: ${e2e.generatorCpuSeconds.toFixed(1)} s), ${(e2e.cpuSeconds / e2e.storedSeconds).toFixed(2)} CPU-s per s of the machine's 2 cores = ${(e2e.sent / e2e.cpuSeconds).toFixed(0)} events per CPU-second = ${micros.toFixed(0)} µs per event = ${(micros / yardstick).toFixed(0)}× one JSON parse+stringify of the event in this run (${yardstick.toFixed(1)} µs)`)
  if (e2e.threads) console.log(`  CPU by thread: ${e2e.threads}`)
  console.log(`  detection latency, request with a burst's 10th failure → signal on the bus: ${e2e.detected}/${e2e.bursts} bursts, p50 ${e2e.latencyMs.p50.toFixed(0)} ms, p95 ${e2e.latencyMs.p95.toFixed(0)} ms, max ${e2e.latencyMs.max.toFixed(0)} ms   (target p95 ≤ 5,000 ms)`)
  console.log(`  load: ${load()}`)
}

/** The generator query's rows for one project: `count` events over the last 7 days, numbered from `first`. */
function generatedEvents(database: string, count: number, first: number): string {
  return `INSERT INTO ${database}.security_events (project_id, timestamp, received_at, event_id, kind, category, type, action, outcome, severity, dataset, message, source_ip, geo_country_iso_code, user_id, user_name, url, related_ip, related_user, payload)
    SELECT {p:UInt64}, ts, ts, id, 'event', ['authentication'], ['start'], action, outcome, severity, 'generic', message, toIPv6(ip), country, '', user, url, [ip], [user],
      format('{{"@timestamp":"{}","event":{{"id":"{}","kind":"event","category":["authentication"],"type":["start"],"action":"{}","outcome":"{}","severity":"info","dataset":"generic"}},"message":"{}","source":{{"ip":"{}"}},"user":{{"name":"{}"}},"related":{{"ip":["{}"],"user":["{}"],"hosts":[]}},"attributes":{{}}}}',
        formatDateTime(ts, '%Y-%m-%dT%H:%i:%S.000Z'), replaceAll(toString(id), '-', ''), action, outcome, message, ip, user, ip, user)
    FROM (
      SELECT number + ${first} AS n,
        now64(3) - toIntervalMillisecond(intHash64(n) % (7 * 86400000)) AS ts,
        generateUUIDv4(n) AS id,
        ['authn_login_success', 'authn_login_fail', 'authz_fail', 'session_created', 'input_validation_fail', 'sensitive_read'][1 + n % 6] AS action,
        if(n % 3 = 0, 'success', 'failure') AS outcome, toUInt8(n % 5) AS severity,
        concat('request ', toString(n % 100000), ' handled for tenant ', toString(n % 37)) AS message,
        IPv4NumToString(toUInt32(167772160 + intHash32(n) % 200000)) AS ip,
        ['US', 'GB', 'DE', 'FR', 'JP', 'BR', 'AU', 'IN'][1 + n % 8] AS country,
        concat('user', toString(intHash32(n * 7) % 20000)) AS user,
        concat('/api/items/', toString(n % 997)) AS url
      FROM numbers(${count}))`
}

/** Active parts, rows and size on disk of the tables a timeline query reads: how merged the data is, and what it takes. */
async function partCounts(fl: TestFaultline): Promise<string> {
  const { client, database } = fl.server.platform.eventStore
  const rows = await (
    await client.query({
      query: `SELECT table, count() AS parts, sum(rows) AS rows, formatReadableSize(sum(bytes_on_disk)) AS size FROM system.parts WHERE database = {db:String} AND active AND table IN ('security_events', 'security_entities') GROUP BY table ORDER BY table`,
      query_params: { db: database },
      format: 'JSONEachRow',
    })
  ).json<{ table: string; parts: number; rows: number; size: string }>()
  return rows.map((r) => `${r.table} ${r.parts} parts / ${r.rows} rows / ${r.size}`).join(', ')
}

interface Loaded {
  events: Stopwatch
  optimize?: Stopwatch
  parts: string
}

type Stopwatch = { seconds: number; cpuSeconds: number }

async function stopwatch(work: () => Promise<void>): Promise<Stopwatch> {
  const [at, cpu] = [performance.now(), process.cpuUsage()]
  await work()
  const used = process.cpuUsage(cpu)
  return { seconds: (performance.now() - at) / 1000, cpuSeconds: (used.user + used.system) / 1e6 }
}

/**
 * Generates each project's events inside ClickHouse (INSERT … SELECT FROM numbers(), a million rows
 * a statement), their `security_entities` rows written by the materialized view and the
 * `minute_counts` projection with each part, as in production. Parts are left to ClickHouse's
 * background merges as in production unless `optimize` (BENCH_OPTIMIZE=1) merges each partition
 * into one part first.
 */
async function bulkLoad(fl: TestFaultline, projects: readonly { id: string; rows: number }[], optimize: boolean): Promise<Loaded> {
  const store = fl.server.platform.eventStore
  const chunk = 1_000_000
  let first = 0
  const events = await stopwatch(async () => {
    for (const project of projects) {
      for (let offset = 0; offset < project.rows; offset += chunk, first += chunk) {
        await store.client.command({ query: generatedEvents(store.database, Math.min(chunk, project.rows - offset), first), query_params: { p: Number(project.id) } })
      }
    }
  })
  const merged = optimize
    ? await stopwatch(async () => {
        for (const table of ['security_events', 'security_entities']) await store.client.command({ query: `OPTIMIZE TABLE ${store.database}.${table} FINAL` })
      })
    : undefined
  return { events, ...(merged && { optimize: merged }), parts: await partCounts(fl) }
}

async function timed(api: TestFaultline['api'], method: string, path: string, body?: unknown): Promise<number> {
  const at = performance.now()
  const result = await api(method, path, body)
  if (result.status !== 200) throw new Error(`${method} ${path} answered ${result.status}: ${JSON.stringify(result.body)}`)
  return performance.now() - at
}

const summary = (values: number[]) => ({ n: values.length, p50: percentile(values, 50), p95: percentile(values, 95) })

/** Search, pivot and organization-level list latencies through the API, each query shape `runs` times. */
async function queryLatency(fl: TestFaultline, orgApi: TestFaultline['api']) {
  const p = `/projects/${fl.projectId}/security`
  const week = `startDate=${Date.now() - 7 * 86400_000}&endDate=${Date.now()}`
  const searches = [
    { query: 'event.action: authn_login_fail and source.ip: 10.1.0.0/16 and not user.name: user1*' },
    { query: 'event.action: authz_fail and event.outcome: failure', histogram: true },
    { query: 'message: "tenant 12"' },
    { query: 'user.name: user4242' },
    { query: '', histogram: true },
  ]
  const search: number[] = []
  const byShape = new Map<string, number[]>()
  const pivot: number[] = []
  const org: number[] = []
  const note = (shape: string, ms: number) => byShape.set(shape, [...(byShape.get(shape) ?? []), ms])
  for (let r = 0; r < runs; r++) {
    for (const s of searches) {
      const ms = await timed(fl.api, 'POST', `${p}/search`, { ...s, startDate: Date.now() - 7 * 86400_000, limit: 100 })
      search.push(ms)
      note(s.query || '(all)', ms)
    }
    const listed = await timed(fl.api, 'GET', `${p}/events?${week}&severity=high,critical&limit=100`)
    search.push(listed)
    note('GET events severity=high,critical', listed)
    pivot.push(await timed(fl.api, 'GET', `${p}/pivot?field=ip&value=10.0.${r}.${r * 7}&${week}`))
    pivot.push(await timed(fl.api, 'GET', `${p}/pivot?field=user&value=user${r * 97}&${week}`))
    for (const [shape, filters] of [['severity=high,critical', 'severity=high,critical'], ['user=user…', `user=user${r * 89}`], ['action=authz_fail&sourceIp=10.0.….0/24', `action=authz_fail&sourceIp=10.0.${r}.0/24`]] as const) {
      const ms = await timed(orgApi, 'GET', `/security/events?${week}&${filters}&limit=100`)
      org.push(ms)
      note(`organization-level ${shape}`, ms)
    }
  }
  return { search: summary(search), pivot: summary(pivot), org: summary(org), shapes: [...byShape].map(([shape, values]) => ({ shape, ...summary(values) })) }
}

/** Phase 3: the 10M events (and the other projects' for the organization-level list), then the queries. */
async function searchPhase(fl: TestFaultline): Promise<void> {
  const { accounts, projects: projectStores } = fl.server.platform
  const org = (await projectStores.projects.findOne({ _id: fl.projectId }))!.orgId
  const { token } = await createApiToken(accounts.tokens, { kind: 'org', orgId: org, name: 'bench (organization)', scopes: permissionsOf('admin') })
  console.log(`phase 3 load before: ${load()}`)
  if (reusedDataDir) {
    console.log(`queries only, over the events a kept run loaded into ${reusedDataDir} (BENCH_DATA_DIR): ${await partCounts(fl)}`)
  } else {
    const others = await Promise.all(Array.from({ length: orgProjects }, (_, i) => createProject(projectStores, org, `Bench org project ${i + 1}`)))
    const loaded = await bulkLoad(fl, [{ id: fl.projectId, rows }, ...others.map((o) => ({ id: o.project._id, rows: orgProjectRows }))], optimizeParts)
    const total = rows + orgProjects * orgProjectRows
    const rate = (w: Stopwatch, n: number) => `${w.seconds.toFixed(1)} s, ${w.cpuSeconds.toFixed(1)} CPU-s (${(n / w.seconds).toFixed(0)} rows/s)`
    console.log(`generated ${rows} events over 7 days in the searched project and ${orgProjects} × ${orgProjectRows} in other projects of its organization, inside ClickHouse, with their entity rows (whole events per IP/user/session, written by the view): ${rate(loaded.events, total)}; load: ${load()}`)
    console.log(loaded.optimize ? `OPTIMIZE … FINAL of both tables (BENCH_OPTIMIZE=1): ${rate(loaded.optimize, total)}` : 'parts as the inserts and background merges left them (no OPTIMIZE, as in production; BENCH_OPTIMIZE=1 merges first)')
    console.log(`  ${loaded.parts}`)
  }
  console.log(`  ${await stored(fl)} events in the searched project`)
  const q = await queryLatency(fl, fl.apiAs(token))
  console.log(`timeline search through the API (${q.search.n} searches: query language with CIDR/wildcard/not, histograms, message phrase, user, severity list): p50 ${q.search.p50.toFixed(0)} ms, p95 ${q.search.p95.toFixed(0)} ms   (target ≤ 500 ms)`)
  console.log(`pivot through the API (${q.pivot.n} pivots on an IP or a user, 7 days): p50 ${q.pivot.p50.toFixed(0)} ms, p95 ${q.pivot.p95.toFixed(0)} ms   (target ≤ 500 ms)`)
  console.log(`organization-level GET /security/events over ${orgProjects + 1} projects (${q.org.n}: severity list, user, action with a /24): p50 ${q.org.p50.toFixed(0)} ms, p95 ${q.org.p95.toFixed(0)} ms`)
  console.log('by query shape:')
  for (const s of q.shapes) console.log(`  ${s.shape}: p50 ${s.p50.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms`)
  console.log(`load after: ${load()}`)
  if (keepData) console.log(`data directory kept (BENCH_KEEP_DATA=1): ${fl.dataDir}`)
}

const fl = await startFaultline({ LOG_LEVEL: 'error', PROCESSOR_THREAD: 'worker', PROCESSOR_FLUSH_MS: '250', KEY_RATE_LIMIT_PER_MINUTE: '0', PROJECT_QUOTA_PER_MINUTE: '0', API_RATE_LIMIT_PER_MINUTE: '0', API_IP_RATE_LIMIT_PER_MINUTE: '0' }, { keepDataDir: keepData || reusedDataDir !== undefined, ...(reusedDataDir && { dataDir: reusedDataDir }) })
try {
  console.log(`load before: ${load()}`)
  if (phases.has('1') || phases.has('2')) {
    const yardstick = jsonRoundTripMicros()
    const saturated = await endToEnd(fl, '198.18')
    printEndToEnd(`end to end, saturated (${seconds} s of load, ${concurrency} senders × ${batch} events per NDJSON request as fast as ingest answers, embedded, processor in a worker thread; latency here measures the backlog):`, saturated, yardstick)
    const paced = pacedRate ?? Math.round(saturated.storedPerSecond * pacedFraction)
    const below = await endToEnd(fl, '198.19', paced)
    printEndToEnd(`end to end, paced at ${paced} events/s (${pacedRate ? 'BENCH_PACED_RATE' : `${pacedFraction * 100}% of the saturated run's end-to-end rate`}) for ${seconds} s:`, below, yardstick)
    console.log(`  yardstick after: ${jsonRoundTripMicros().toFixed(1)} µs per JSON parse+stringify (before: ${yardstick.toFixed(1)} µs)`)
  }
  if (rows <= 0 || !phases.has('3')) console.log('BENCH_ROWS=0 or BENCH_PHASES without 3: bulk load and timeline queries skipped')
  else await searchPhase(fl)
} finally {
  await fl.stop()
}
