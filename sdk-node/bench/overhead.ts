/**
 * Overhead of @faultline/sdk-node on a hono app: req/s, p99 and the app's CPU per request with the
 * SDK's middleware (and an error on 1% of requests, reported to a local ingest sink) against the
 * same app without it, under two loads: a moderate one that leaves the app idle time, and a
 * saturating one where req/s is the app's ceiling. Two more variants put the figures in context: a
 * bare AsyncLocalStorage per request (the part of the cost that is Node's, paid by any SDK that
 * isolates requests) and @sentry/node. The app runs in a child process. Where `taskset` exists and
 * there are two cores or more, the app gets core 1 and the load generator and ingest sink core 0:
 * sharing cores, the app's sends to the sink preempted the load generator and the scheduling noise
 * swamped the SDK's own cost. Variants are interleaved round by round and the medians compared.
 *
 *   npx tsx sdk-node/bench/overhead.ts [seconds=5] [connections=32] [rounds=3]
 *   BENCH_ERROR_EVERY=N (default 100: 1% of requests throw)
 *   BENCH_SOURCE_MAPS=1 (the app formats stacks through source maps, as under tsx or --enable-source-maps)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { availableParallelism } from 'node:os'
import http from 'node:http'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { httpMessages } from '../src/testing'

const [, , mode, ...rest] = process.argv
const errorEvery = Number(process.env.BENCH_ERROR_EVERY ?? 100)

/**
 * What the app runs with. `als` is the runtime's part of any per-request isolation: a bare
 * AsyncLocalStorage around each request, which on Node 20 turns on async_hooks for every promise
 * and native resource. `sentry` is @sentry/node 10 with its hono error handler, for reference.
 */
const variants = ['plain', 'als', 'sdk', 'sentry'] as const
type Variant = (typeof variants)[number]

async function serve(variant: Variant): Promise<void> {
  // tsx, which runs this file, turns on source-mapped stack traces; a built app runs without them
  // (Node's default), and with them every stack the SDK reads costs ~300 µs more to format.
  // BENCH_SOURCE_MAPS=1 keeps them on to measure that case.
  if (process.env.BENCH_SOURCE_MAPS !== '1') process.setSourceMapsEnabled(false)
  const { Hono } = await import('hono')
  const { serve: listen } = await import('@hono/node-server')
  const app = new Hono()
  let tagRequest = (): void => undefined
  if (variant === 'sdk') {
    const sdk = await import('../src/index')
    sdk.init({ dsn: process.env.FAULTLINE_DSN, release: 'bench@1', globalHandlers: false, consoleBreadcrumbs: false })
    app.use(sdk.faultlineHono())
    tagRequest = () => sdk.setTag('bench', 'yes')
  } else if (variant === 'sentry') {
    const Sentry = await import('@sentry/node')
    Sentry.init({ dsn: process.env.FAULTLINE_DSN, release: 'bench@1' })
    Sentry.setupHonoErrorHandler(app)
    tagRequest = () => Sentry.setTag('bench', 'yes')
  } else if (variant === 'als') {
    const { AsyncLocalStorage } = await import('node:async_hooks')
    const storage = new AsyncLocalStorage<{ tags: Record<string, string> }>()
    app.use((_c, next) => storage.run({ tags: {} }, next))
    tagRequest = () => void (storage.getStore()!.tags.bench = 'yes')
  }
  let n = 0
  app.get('/work', (c) => {
    n++
    tagRequest()
    if (n % errorEvery === 0) throw new Error(`bench failure ${n % 1000}`)
    return c.json({ ok: true, n })
  })
  app.onError((_err, c) => c.text('error', 500))
  const server = listen({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.stdout.write(`${info.port}\n`))
  // The parent asks for this process's CPU time around each measured run.
  process.on('message', () => process.send?.(process.cpuUsage()))
  process.on('SIGTERM', () => server.close(() => process.exit(0)))
}

interface Result {
  requests: number
  errors: number
  rps: number
  p50: number
  p99: number
  /** CPU time of the app process (all its threads) per request, µs. */
  cpuPerRequest: number
}

type LoadResult = Omit<Result, 'cpuPerRequest'>

function summarize(latencies: number[], errors: number, elapsedMs: number): LoadResult {
  latencies.sort((a, b) => a - b)
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0
  return { requests: latencies.length, errors, rps: latencies.length / (elapsedMs / 1000), p50: at(0.5), p99: at(0.99) }
}

/**
 * Moderate load: node:http clients, one request in flight per connection. On one core this client
 * tops out near 30k req/s, below what the bare app serves, so the app has idle time left and the
 * figures show what the SDK costs an app that is not at its limit (latency, CPU per request).
 */
async function moderateLoad(port: number, seconds: number, connections: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  const latencies: number[] = []
  let errors = 0
  const deadline = performance.now() + seconds * 1000
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const started = performance.now()
      const status = await new Promise<number>((resolve) => {
        http
          .get({ host: '127.0.0.1', port, path: '/work', agent }, (res) => {
            res.resume()
            res.on('end', () => resolve(res.statusCode ?? 0))
          })
          .on('error', () => resolve(0))
      })
      latencies.push(performance.now() - started)
      if (status !== 200) errors++
    }
  }
  const began = performance.now()
  await Promise.all(Array.from({ length: connections }, worker))
  agent.destroy()
  return summarize(latencies, errors, performance.now() - began)
}

/**
 * Saturating load: raw sockets writing a canned request and finding each response's end from its
 * Content-Length, one request in flight per connection. It costs a fraction of node:http's client,
 * so the app's core is the bottleneck and req/s is the app's ceiling: any CPU the SDK adds shows up
 * as lost throughput.
 */
async function saturatingLoad(port: number, seconds: number, connections: number): Promise<LoadResult> {
  const request = Buffer.from(`GET /work HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`, 'latin1')
  const latencies: number[] = []
  let errors = 0
  const deadline = performance.now() + seconds * 1000
  const connection = (): Promise<void> =>
    new Promise((done) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.setNoDelay(true)
      let started = 0
      const next = (): void => {
        if (performance.now() >= deadline) return void socket.end()
        started = performance.now()
        socket.write(request)
      }
      socket.on('connect', next)
      socket.on('error', () => errors++)
      // Settles however the connection ends: at the deadline, on an error, or closed by the app.
      socket.on('close', () => done())
      socket.on(
        'data',
        httpMessages((head) => {
          latencies.push(performance.now() - started)
          if (head.slice(9, 12) !== '200') errors++
          next()
        }),
      )
    })
  const began = performance.now()
  await Promise.all(Array.from({ length: connections }, connection))
  return summarize(latencies, errors, performance.now() - began)
}

const loads = { moderate: moderateLoad, saturating: saturatingLoad }
type Load = keyof typeof loads

/** Pins every thread of this process to core 0, so that core 1 is the app's alone; false when it cannot. */
function pinLoadGenerator(): boolean {
  if (availableParallelism() < 2) return false
  return spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' }).status === 0
}

function startApp(variant: Variant, dsn: string, pinned: boolean): Promise<{ child: ChildProcess; port: number }> {
  const app = [process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), `serve-${variant}`]
  const [command, ...args] = pinned ? ['taskset', '-c', '1', ...app] : app
  const child = spawn(command!, args, {
    env: { ...process.env, FAULTLINE_DSN: dsn },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve({ child, port: Number(String(d).trim()) }))
    child.once('exit', (code) => reject(new Error(`app exited with ${code}`)))
  })
}

function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (usage: NodeJS.CpuUsage) => resolve(usage.user + usage.system))
    child.send('cpu')
  })
}

/**
 * The ingest sink shares a core with the load generator (unpinned, both cores with the app too),
 * so it does as little as possible: it finds each request's end from Content-Length and answers a
 * canned 200, without an HTTP parser, decompression or JSON. Only the app's own cost of reporting
 * should be measured.
 */
function startIngestSink(): Promise<{ dsn: string; envelopes: () => number; close: () => Promise<void> }> {
  let envelopes = 0
  const answer = Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n{}')
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy())
    socket.on(
      'data',
      httpMessages(() => {
        envelopes++
        socket.write(answer)
      }),
    )
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      resolve({ dsn: `http://publickey@127.0.0.1:${port}/1`, envelopes: () => envelopes, close: () => new Promise((r) => server.close(() => r())) })
    }),
  )
}

async function measure(variant: Variant, load: Load, dsn: string, seconds: number, connections: number, pinned: boolean): Promise<Result> {
  const { child, port } = await startApp(variant, dsn, pinned)
  await loads[load](port, 5, connections) // warm-up: JIT (the capture path needs several seconds), sockets, context-line cache
  const cpuBefore = await cpuOf(child)
  const run = await loads[load](port, seconds, connections)
  const cpu = (await cpuOf(child)) - cpuBefore
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  return { ...run, cpuPerRequest: cpu / run.requests }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const signed = (n: number, digits = 1): string => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`

function row(name: string, r: Pick<Result, 'rps' | 'p50' | 'p99' | 'cpuPerRequest'> & Partial<Result>): void {
  console.log(
    `| ${name.padEnd(20)} | ${String(r.requests ?? '').padStart(8)} | ${String(r.errors ?? '').padStart(7)} | ${r.rps.toFixed(0).padStart(7)} | ${r.p50.toFixed(2).padStart(6)} | ${r.p99.toFixed(2).padStart(6)} | ${r.cpuPerRequest.toFixed(1).padStart(7)} |`,
  )
}

/** Every variant `rounds` times under one load, interleaved; prints each run and the medians against the bare app. */
async function compare(load: Load, dsn: string, seconds: number, connections: number, rounds: number, pinned: boolean): Promise<void> {
  const runs = new Map<Variant, Result[]>(variants.map((v) => [v, []]))
  console.log(`\n${load} load: ${connections} keep-alive connections, ${seconds} s per run, ${rounds} rounds\n`)
  console.log('| run                  | requests | non-200 |   req/s | p50 ms | p99 ms | CPU µs/req |')
  console.log('|----------------------|----------|---------|---------|--------|--------|------------|')
  for (let round = 0; round < rounds; round++) {
    // Each round starts with a different variant, so a drift in machine load favours none.
    const order = variants.map((_, i) => variants[(i + round) % variants.length]!)
    for (const variant of order) {
      const result = await measure(variant, load, dsn, seconds, connections, pinned)
      runs.get(variant)!.push(result)
      row(`${variant} #${round + 1}`, result)
    }
  }
  const base = runs.get('plain')!
  const medianOf = (results: Result[], key: 'rps' | 'p50' | 'p99' | 'cpuPerRequest'): number => median(results.map((r) => r[key]))
  for (const variant of variants) {
    const results = runs.get(variant)!
    row(`median ${variant}`, { rps: medianOf(results, 'rps'), p50: medianOf(results, 'p50'), p99: medianOf(results, 'p99'), cpuPerRequest: medianOf(results, 'cpuPerRequest') })
  }
  console.log('')
  for (const variant of variants.filter((v) => v !== 'plain')) {
    const results = runs.get(variant)!
    // Runs of one round are adjacent in time, so their ratio is the least disturbed by other load.
    const paired = median(results.map((r, i) => (r.rps / base[i]!.rps - 1) * 100))
    const cpu = medianOf(results, 'cpuPerRequest') - medianOf(base, 'cpuPerRequest')
    console.log(
      `${load}, ${variant.padEnd(6)} against plain: req/s ${signed((medianOf(results, 'rps') / medianOf(base, 'rps') - 1) * 100)}% (medians), ` +
        `${signed(paired)}% (paired); CPU per request ${signed(cpu)} µs (${signed((cpu / medianOf(base, 'cpuPerRequest')) * 100)}%); ` +
        `p99 ${medianOf(base, 'p99').toFixed(2)} -> ${medianOf(results, 'p99').toFixed(2)} ms`,
    )
  }
}

async function main(): Promise<void> {
  const args = mode === undefined ? [] : [mode, ...rest]
  const seconds = Number(args[0] ?? 5) || 5
  const connections = Number(args[1] ?? 32) || 32
  const rounds = Number(args[2] ?? 3) || 3
  const pinned = pinLoadGenerator()
  const ingest = await startIngestSink()
  console.log(`hono app; 1 request in ${errorEvery} throws; variants: ${variants.join(', ')}`)
  console.log(pinned ? 'app on core 1, load generator and ingest sink on core 0' : 'app and load generator share the cores (no taskset or one core)')
  for (const load of Object.keys(loads) as Load[]) await compare(load, ingest.dsn, seconds, connections, rounds, pinned)
  console.log(`\nenvelopes received by the ingest sink: ${ingest.envelopes()}`)
  await ingest.close()
}

const served = variants.find((variant) => mode === `serve-${variant}`)
if (served) await serve(served)
else await main()
