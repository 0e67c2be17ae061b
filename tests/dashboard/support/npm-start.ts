/**
 * Faultline started the way the README starts it: `npm start` in the repository (its `prestart`
 * builds the dashboard when stale), on a free port and a fresh data directory. Stopped with
 * SIGTERM to the whole process group (npm, its shell, tsx and node).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { getFreePort } from '../../../core/src/testing/servers'

export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)))

export interface NpmStarted {
  url: string
  dataDir: string
  /** Everything the process printed so far (the setup link, errors). */
  output(): string
  stop(): Promise<void>
}

const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) if (child.pid) process.kill(-child.pid, 'SIGKILL')
})

export async function npmStart(env: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), 'faultline-dashboard-'))): Promise<NpmStarted> {
  const port = await getFreePort()
  const url = `http://127.0.0.1:${port}`
  let output = ''
  const child = spawn('npm', ['start', '--silent'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  running.add(child)
  const keep = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-20_000))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const deadline = Date.now() + 180_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`)
    try {
      if ((await fetch(`${url}/readyz`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`npm start was not ready within 180 s:\n${output}`)
    await new Promise((r) => setTimeout(r, 250))
  }
  return {
    url,
    dataDir,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM')
      // A shutdown that hangs must not hang the suite or leave the group running.
      const killer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 30_000)
      await exited
      clearTimeout(killer)
      running.delete(child)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
