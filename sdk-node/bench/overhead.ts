/**
 * Overhead of @faultline/sdk-node on a hono app: req/s, p99 and the app's CPU per request with the
 * SDK's middleware (and an error on 1% of requests, reported to a local ingest sink) against the
 * same app without the SDK. The app runs in a child process; this process generates keep-alive load
 * with node:http. Where `taskset` exists and there are two cores or more, the app gets core 1 and
 * the load generator and ingest sink core 0: sharing cores, the app's sends to the sink preempted
 * the load generator and the scheduling noise swamped the SDK's own cost. Runs with and without
 * the SDK are interleaved and the medians compared.
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

const [, , mode, ...rest] = process.argv
const errorEvery = Number(process.env.BENCH_ERROR_EVERY ?? 100)

async function serve(withSdk: boolean): Promise<void> {
  // tsx, which runs this file, turns on source-mapped stack traces; a built app runs without them
  // (Node's default), and with them every stack the SDK reads costs ~300 µs more to format.
  // BENCH_SOURCE_MAPS=1 keeps them on to measure that case.
  if (process.env.BENCH_SOURCE_MAPS !== '1') process.setSourceMapsEnabled(false)
  const { Hono } = await import('hono')
  const { serve: listen } = await import('@hono/node-server')
  const sdk = await import('../src/index')
  const app = new Hono()
  if (withSdk) {
    sdk.init({ dsn: process.env.FAULTLINE_DSN, release: 'bench@1', globalHandlers: false, consoleBreadcrumbs: false })
    app.use(sdk.faultlineHono())
  }
  let n = 0
  app.get('/work', (c) => {
    n++
    if (withSdk) sdk.setTag('bench', 'yes')
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

async function load(port: number, seconds: number, connections: number): Promise<Omit<Result, 'cpuPerRequest'> & { elapsed: number }> {
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
  const elapsed = (performance.now() - began) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return { requests: latencies.length, errors, rps: latencies.length / elapsed, p50: latencies[Math.floor(latencies.length * 0.5)]!, p99: latencies[Math.floor(latencies.length * 0.99)]!, elapsed }
}

/** Pins every thread of this process to core 0, so that core 1 is the app's alone; false when it cannot. */
function pinLoadGenerator(): boolean {
  if (availableParallelism() < 2) return false
  return spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' }).status === 0
}

function startApp(withSdk: boolean, dsn: string, pinned: boolean): Promise<{ child: ChildProcess; port: number }> {
  const app = [process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), withSdk ? 'serve-sdk' : 'serve-plain']
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
    let pending: Buffer = Buffer.alloc(0)
    let bodyLeft = -1
    socket.on('error', () => socket.destroy())
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
      for (;;) {
        if (bodyLeft < 0) {
          const end = pending.indexOf('\r\n\r\n')
          if (end < 0) return
          const length = /content-length:\s*(\d+)/i.exec(pending.subarray(0, end).toString('latin1'))
          bodyLeft = length ? Number(length[1]) : 0
          pending = pending.subarray(end + 4)
        }
        if (pending.length < bodyLeft) return
        pending = pending.subarray(bodyLeft)
        bodyLeft = -1
        envelopes++
        socket.write(answer)
      }
    })
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      resolve({ dsn: `http://publickey@127.0.0.1:${port}/1`, envelopes: () => envelopes, close: () => new Promise((r) => server.close(() => r())) })
    }),
  )
}

async function measure(withSdk: boolean, dsn: string, seconds: number, connections: number, pinned: boolean): Promise<Result> {
  const { child, port } = await startApp(withSdk, dsn, pinned)
  await load(port, 5, connections) // warm-up: JIT (the capture path needs several seconds), sockets, context-line cache
  const cpuBefore = await cpuOf(child)
  const run = await load(port, seconds, connections)
  const cpu = (await cpuOf(child)) - cpuBefore
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  return { requests: run.requests, errors: run.errors, rps: run.rps, p50: run.p50, p99: run.p99, cpuPerRequest: cpu / run.requests }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

async function main(): Promise<void> {
  const args = mode === undefined ? [] : [mode, ...rest]
  const seconds = Number(args[0] ?? 5) || 5
  const connections = Number(args[1] ?? 32) || 32
  const rounds = Number(args[2] ?? 3) || 3
  const pinned = pinLoadGenerator()
  const ingest = await startIngestSink()
  const runs: Record<'without sdk' | 'with sdk', Result[]> = { 'without sdk': [], 'with sdk': [] }
  console.log(`hono app, ${connections} keep-alive connections, ${seconds} s per run, ${rounds} rounds interleaved, 1 request in ${errorEvery} throws`)
  console.log(pinned ? 'app on core 1, load generator and ingest sink on core 0\n' : 'app and load generator share the cores (no taskset or one core)\n')
  console.log('| run              | requests | non-200 | req/s    | p50 ms | p99 ms | app CPU µs/req |')
  console.log('|------------------|----------|---------|----------|--------|--------|----------------|')
  const row = (name: string, r: Pick<Result, 'rps' | 'p50' | 'p99' | 'cpuPerRequest'> & Partial<Result>): void =>
    console.log(
      `| ${name.padEnd(16)} | ${String(r.requests ?? '').padStart(8)} | ${String(r.errors ?? '').padStart(7)} | ${r.rps.toFixed(0).padStart(8)} | ${r.p50.toFixed(2).padStart(6)} | ${r.p99.toFixed(2).padStart(6)} | ${r.cpuPerRequest.toFixed(1).padStart(14)} |`,
    )
  for (let round = 1; round <= rounds; round++) {
    // Alternate which side goes first, so a drift in machine load does not favour one.
    const order = round % 2 ? [false, true] : [true, false]
    for (const withSdk of order) {
      const result = await measure(withSdk, ingest.dsn, seconds, connections, pinned)
      const name = withSdk ? 'with sdk' : 'without sdk'
      runs[name].push(result)
      row(`${name} #${round}`, result)
    }
  }
  const summary = (results: Result[]) => ({
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    cpuPerRequest: median(results.map((r) => r.cpuPerRequest)),
  })
  const base = summary(runs['without sdk'])
  const sdk = summary(runs['with sdk'])
  row('median without', base)
  row('median with', sdk)
  await ingest.close()
  const loss = (1 - sdk.rps / base.rps) * 100
  // Each round's two runs are adjacent in time, so their ratio is the least disturbed by other load.
  const pairedLoss = median(runs['with sdk'].map((r, i) => (1 - r.rps / runs['without sdk'][i]!.rps) * 100))
  const cpu = (sdk.cpuPerRequest / base.cpuPerRequest - 1) * 100
  const signed = (n: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(1)}%`
  console.log(
    `\nthroughput change with the SDK: ${signed(-loss)} (medians), ${signed(-pairedLoss)} (median of per-round pairs) (target: loss <= 5%); ` +
      `app CPU per request ${signed(cpu)}; p99 ${base.p99.toFixed(2)} -> ${sdk.p99.toFixed(2)} ms; envelopes received by ingest: ${ingest.envelopes()}`,
  )
}

if (mode === 'serve-plain' || mode === 'serve-sdk') await serve(mode === 'serve-sdk')
else await main()
