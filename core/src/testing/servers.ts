/**
 * Real servers for integration tests: `nats-server -js` and `redis-server` on a free loopback port,
 * each with its own temporary directory, removed again by stop().
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

export interface RunningServer {
  url: string
  port: number
  /** The server's data directory. */
  dir: string
  /** Kills the server and removes its directory; safe to call twice. */
  stop(): Promise<void>
}

const installHint = 'apt-get install -y nats-server redis-server'
const running = new Set<ChildProcess>()
// A test process that dies without its afterAll must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** A TCP port free on 127.0.0.1 at the time of the call. */
export function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port found'))))
    })
  })
}

function findBinary(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/usr/local/bin', '/usr/local/sbin']
  for (const dir of dirs.filter(Boolean)) {
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      continue
    }
  }
  throw new Error(`${name} is not installed; integration tests need it: ${installHint}`)
}

/**
 * Starts `name` on a free port and waits for the line it prints once it serves (`readyLine`), not
 * for the port to accept connections: the port is free when picked but not reserved, and another
 * process (a connection's ephemeral port, a parallel test's server) may take it first, which a
 * connect would not tell from our server. A server that exits before it is ready (its port was
 * taken) is started again on another port.
 */
async function startServer(name: string, scheme: string, readyLine: RegExp, args: (port: number, dir: string) => string[]): Promise<RunningServer> {
  const binary = findBinary(name)
  const failures: string[] = []
  for (let attempt = 1; attempt <= 3; attempt++) {
    const started = await startOnce(binary, name, scheme, readyLine, args)
    if ('server' in started) return started.server
    failures.push(started.failure)
  }
  throw new Error(`${name} did not start: ${failures.join(' | ')}`)
}

/** Deadline for a server to print its ready line: only a broken install reaches it, so it is set for a machine at load 15 and more. */
const readyTimeoutMs = 60_000

async function startOnce(
  binary: string,
  name: string,
  scheme: string,
  readyLine: RegExp,
  args: (port: number, dir: string) => string[],
): Promise<{ server: RunningServer } | { failure: string }> {
  const dir = await mkdtemp(join(tmpdir(), `faultline-${name}-`))
  const port = await getFreePort()
  const child = spawn(binary, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  let output = ''
  let markReady!: () => void
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000)
    if (readyLine.test(output)) markReady()
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let exited = false
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true
      running.delete(child)
      resolve()
    })
  })
  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM')
        const killer = setTimeout(() => child.kill('SIGKILL'), 3_000)
        await exit
        clearTimeout(killer)
      }
      await rm(dir, { recursive: true, force: true })
    })()
    return stopping
  }
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), readyTimeoutMs)))
  const outcome = await Promise.race([ready.then(() => 'ready' as const), exit.then(() => 'exited' as const), timedOut])
  clearTimeout(timer)
  if (outcome === 'ready' && !exited) return { server: { url: `${scheme}://127.0.0.1:${port}`, port, dir, stop } }
  await stop()
  const why = outcome === 'timeout' ? `not ready within ${readyTimeoutMs} ms` : 'exited'
  return { failure: `on port ${port}: ${why}: ${output.trim() || 'no output'}` }
}

/** `nats-server -js` with file storage under a temporary directory. */
export function startNatsServer(): Promise<RunningServer> {
  return startServer('nats-server', 'nats', /Server is ready/, (port, dir) => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir])
}

/** `redis-server` without persistence, in a temporary directory. */
export function startRedisServer(): Promise<RunningServer> {
  return startServer('redis-server', 'redis', /Ready to accept connections/, (port, dir) => [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--appendonly', 'no',
    '--daemonize', 'no',
  ])
}
