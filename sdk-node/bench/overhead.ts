/**
 * Overhead of @faultline/sdk-node on a hono app: req/s and p99 with the SDK's middleware (and an
 * error on 1% of requests, reported to a local ingest) against the same app without the SDK.
 * The app runs in a child process; this process generates keep-alive load with node:http.
 *
 *   npx tsx sdk-node/bench/overhead.ts [seconds=5] [connections=32]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import { fileURLToPath } from 'node:url'

const [, , mode, ...rest] = process.argv

async function serve(withSdk: boolean): Promise<void> {
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
    if (n % Number(process.env.BENCH_ERROR_EVERY ?? 100) === 0) throw new Error(`bench failure ${n % 1000}`)
    return c.json({ ok: true, n })
  })
  app.onError((_err, c) => c.text('error', 500))
  const server = listen({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.stdout.write(`${info.port}\n`))
  process.on('SIGTERM', () => server.close(() => process.exit(0)))
}

interface Result {
  requests: number
  errors: number
  rps: number
  p50: number
  p99: number
}

async function load(port: number, seconds: number, connections: number): Promise<Result> {
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
  return { requests: latencies.length, errors, rps: latencies.length / elapsed, p50: latencies[Math.floor(latencies.length * 0.5)]!, p99: latencies[Math.floor(latencies.length * 0.99)]! }
}

function startApp(withSdk: boolean, dsn: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), withSdk ? 'serve-sdk' : 'serve-plain'], {
    env: { ...process.env, FAULTLINE_DSN: dsn },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve({ child, port: Number(String(d).trim()) }))
    child.once('exit', (code) => reject(new Error(`app exited with ${code}`)))
  })
}

async function main(): Promise<void> {
  const args = mode === undefined ? [] : [mode, ...rest]
  const seconds = Number(args[0] ?? 5) || 5
  const connections = Number(args[1] ?? 32) || 32
  // A minimal ingest: it counts envelopes without parsing them, so the load generator sharing this
  // process is not slowed by ingest work (which would show up as SDK overhead).
  let envelopes = 0
  const ingestServer = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      envelopes++
      res.end('{}')
    })
  })
  await new Promise<void>((r) => ingestServer.listen(0, '127.0.0.1', r))
  const ingestPort = (ingestServer.address() as { port: number }).port
  const ingest = { dsn: `http://publickey@127.0.0.1:${ingestPort}/1`, close: () => new Promise((r) => ingestServer.close(r)) }
  const results: Record<string, Result> = {}
  for (const withSdk of [false, true]) {
    const { child, port } = await startApp(withSdk, ingest.dsn)
    await load(port, 1, connections) // warm-up: JIT, sockets
    results[withSdk ? 'with sdk' : 'without sdk'] = await load(port, seconds, connections)
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
  }
  await ingest.close()
  const base = results['without sdk']!
  const sdk = results['with sdk']!
  console.log(`\nhono app, ${connections} keep-alive connections, ${seconds} s per run, 1% of requests throw`)
  console.log('| run         | requests | non-200 | req/s    | p50 ms | p99 ms |')
  console.log('|-------------|----------|---------|----------|--------|--------|')
  for (const [name, r] of Object.entries(results)) {
    console.log(`| ${name.padEnd(11)} | ${String(r.requests).padStart(8)} | ${String(r.errors).padStart(7)} | ${r.rps.toFixed(0).padStart(8)} | ${r.p50.toFixed(2).padStart(6)} | ${r.p99.toFixed(2).padStart(6)} |`)
  }
  const loss = (1 - sdk.rps / base.rps) * 100
  console.log(`\nthroughput change with the SDK: ${(-loss).toFixed(1)}% (target: loss <= 5%); p99 ${base.p99.toFixed(2)} -> ${sdk.p99.toFixed(2)} ms; envelopes received by ingest: ${envelopes}`)
}

if (mode === 'serve-plain' || mode === 'serve-sdk') await serve(mode === 'serve-sdk')
else await main()
