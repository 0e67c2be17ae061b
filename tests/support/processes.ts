/**
 * Faultline as real child processes (`node --import tsx bin/faultline.ts run`), for fault tests
 * that kill -9 and restart it: spawn with an environment, wait for /readyz, kill, restart on the
 * same port and data directory. Every child is tracked and killed when the test process exits, so
 * a failing test never leaves one behind; tests still call stopAllFaultlines() in afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { getFreePort } from '../../core/src/testing/servers'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const entry = resolve(repoRoot, 'bin/faultline.ts')

const children = new Set<ChildProcess>()
/**
 * Deadlines for a child to become ready, end or finish a script: only a broken child reaches them,
 * so they are set for a 2-core machine at load 15 and more, where tsx compiling the workspaces and
 * chDB starting take tens of seconds.
 */
const readyTimeoutMs = 120_000
const scriptTimeoutMs = 180_000
const stopGraceMs = 30_000
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

export interface FaultlineProcess {
  url: string
  port: number
  /** Pid of the current incarnation. */
  readonly pid: number
  /** How many times the process was started. */
  readonly starts: number
  /** The last few KB of stdout and stderr of every incarnation, for failure messages. */
  output(): string
  /** SIGKILL, then waits until the process is gone. */
  kill9(): Promise<void>
  /**
   * Starts it again (SIGKILL first if it still runs) on the same port and data directory, with the
   * first environment plus `env` (e.g. another FAULTLINE_FAULTS, or '' to disarm); waits for /readyz.
   */
  restart(env?: Record<string, string>): Promise<void>
  /** Waits until the process ends by itself (a fault point killed it); fails loudly after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<void>
  /** SIGTERM (a graceful shutdown), SIGKILL after `graceMs`; waits until the process is gone. */
  stop(graceMs?: number): Promise<void>
  /** Resident memory of the current incarnation in bytes, from /proc/PID/status. */
  rssBytes(): number
}

export interface SpawnOptions {
  dataDir: string
  /** Variables on top of DATA_DIR, PORT, HOST and LOG_LEVEL=warn (ROLE, NATS_URL, REDIS_URL...). */
  env?: Record<string, string>
  readyTimeoutMs?: number
}

/** Environment a child gets: the test's PATH and HOME, nothing else of the test's own variables. */
function childEnv(dataDir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...extra,
  }
}

export async function spawnFaultline(options: SpawnOptions): Promise<FaultlineProcess> {
  const port = await getFreePort()
  const url = `http://127.0.0.1:${port}`
  const baseEnv = { ...options.env, PORT: String(port) }
  let env = childEnv(options.dataDir, baseEnv)
  let output = ''
  let child: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()
  let alive = false
  let starts = 0

  const start = async (): Promise<void> => {
    const current = spawn(process.execPath, ['--import', 'tsx', entry, 'run'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
    starts++
    child = current
    alive = true
    children.add(current)
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000)
    }
    current.stdout?.on('data', keep)
    current.stderr?.on('data', keep)
    exited = new Promise((resolveExit) => {
      current.once('exit', (code, signal) => {
        alive = false
        children.delete(current)
        output += `\n[faultline pid ${current.pid} exited: code ${code} signal ${signal}]\n`
        resolveExit()
      })
    })
    await waitReady(url, () => alive, options.readyTimeoutMs ?? readyTimeoutMs, () => output)
  }

  const kill = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (!child || !alive) return
    const target = child
    target.kill(signal)
    const killer = setTimeout(() => target.kill('SIGKILL'), graceMs)
    await exited
    clearTimeout(killer)
  }

  await start()
  return {
    url,
    port,
    get pid() {
      return child?.pid ?? -1
    },
    get starts() {
      return starts
    },
    output: () => output,
    kill9: () => kill('SIGKILL', 0),
    async restart(extra) {
      await kill('SIGKILL', 0)
      if (extra) env = childEnv(options.dataDir, { ...baseEnv, ...extra })
      await start()
    },
    async exited(timeoutMs = readyTimeoutMs) {
      let timer: NodeJS.Timeout | undefined
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Faultline pid ${child?.pid} still running after ${timeoutMs} ms:\n${output}`)), timeoutMs)
      })
      try {
        await Promise.race([exited, deadline])
      } finally {
        clearTimeout(timer)
      }
    },
    stop: (graceMs = stopGraceMs) => kill('SIGTERM', graceMs),
    rssBytes: () => {
      const status = readFileSync(`/proc/${child?.pid}/status`, 'utf8')
      const match = /^VmRSS:\s+(\d+) kB/m.exec(status)
      if (!match) throw new Error(`no VmRSS in /proc/${child?.pid}/status`)
      return Number(match[1]) * 1024
    },
  }
}

async function waitReady(url: string, isAlive: () => boolean, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (!isAlive()) throw new Error(`Faultline exited before it was ready:\n${output()}`)
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) })
      await response.arrayBuffer()
      if (response.status === 200) return
    } catch {
      // Not listening yet: keep polling until the deadline.
    }
    if (Date.now() > deadline) throw new Error(`Faultline at ${url} not ready within ${timeoutMs} ms:\n${output()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Kills every Faultline child still running (SIGKILL) and waits for them to exit. */
export async function killAllFaultlines(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolveExit) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolveExit()
          child.once('exit', () => resolveExit())
          child.kill('SIGKILL')
        }),
    ),
  )
}

export interface CreatedProject {
  projectId: string
  publicKey: string
  dsn: string
  apiToken: string
}

/** `faultline project create NAME` in a child process against `dataDir` (and any URLs in env). */
export async function createProjectIn(dataDir: string, name: string, env: Record<string, string> = {}): Promise<CreatedProject> {
  const { code, stdout, stderr } = await runNode(['--import', 'tsx', entry, 'project', 'create', name], childEnv(dataDir, env))
  if (code !== 0) throw new Error(`project create failed (${code}): ${stderr}`)
  const created = JSON.parse(stdout) as { projectId: string; dsn: string; apiToken: string }
  const publicKey = new URL(created.dsn).username
  return { projectId: created.projectId, publicKey, dsn: created.dsn, apiToken: created.apiToken }
}

/**
 * Runs an ES module `script` in a fresh Node process with tsx (so it can import the workspaces)
 * and returns what it printed. chDB binds one data directory per process, so reading several
 * Faultline data directories from one test goes through this.
 */
export async function runScript(script: string, env: Record<string, string> = {}, timeoutMs = scriptTimeoutMs): Promise<string> {
  const { code, stdout, stderr } = await runNode(['--import', 'tsx', '--input-type=module', '-e', script], { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeoutMs)
  if (code !== 0) throw new Error(`script failed (${code}): ${stderr.slice(-4_000)}`)
  return stdout
}

function runNode(args: string[], env: NodeJS.ProcessEnv, timeoutMs = scriptTimeoutMs): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
    children.add(child)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.once('error', reject)
    child.once('exit', (code) => {
      clearTimeout(timer)
      children.delete(child)
      resolveRun({ code, stdout, stderr: timedOut ? `${stderr}\n[killed: still running after ${timeoutMs} ms]` : stderr })
    })
  })
}

/** A seeded PRNG (mulberry32) in [0, 1): fault timings and mutations replay from their seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

