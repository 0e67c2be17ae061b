/** Child processes for benchmarks: the bare-hono ceiling, the load generator, scripts. Faultline itself runs through tests/support/processes.ts. */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

// Children must not outlive a benchmark that fails half-way.
const children = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})
function track(child: ChildProcess): ChildProcess {
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** Runs a TypeScript file with node + tsx; resolves with the first JSON line it prints. */
export function startTs(script: string, args: string[], env: Record<string, string> = {}): { child: ChildProcess; firstLine: Promise<unknown>; done: Promise<string> } {
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  )
  let stdout = ''
  let stderr = ''
  let resolveLine!: (value: unknown) => void
  let rejectLine!: (error: Error) => void
  const firstLine = new Promise<unknown>((resolve, reject) => ((resolveLine = resolve), (rejectLine = reject)))
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    // Only whole lines that are JSON on their own (pretty-printed output is read at exit).
    for (const line of stdout.split('\n').slice(0, -1)) {
      if (!line.startsWith('{') || !line.endsWith('}')) continue
      try {
        resolveLine(JSON.parse(line))
      } catch {
        continue
      }
    }
  })
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const done = new Promise<string>((resolve, reject) => {
    child.on('exit', (code, signal) => {
      rejectLine(new Error(`${script} exited (${code ?? signal}) before printing: ${stderr.slice(-2000)}`))
      if (code === 0) resolve(stdout)
      else reject(new Error(`${script} exited with ${code ?? signal}: ${stderr.slice(-2000)}`))
    })
  })
  // Callers await whichever of the two they need; the other must not become an unhandled rejection.
  done.catch(() => undefined)
  firstLine.catch(() => undefined)
  return { child, firstLine, done }
}

export async function runTs<T>(script: string, args: string[], env: Record<string, string> = {}): Promise<T> {
  const { done } = startTs(script, args, env)
  const stdout = (await done).trim()
  try {
    return JSON.parse(stdout) as T
  } catch {
    const line = stdout.split('\n').filter((l) => l.startsWith('{')).at(-1)
    if (!line) throw new Error(`${script} printed no JSON: ${stdout.slice(-500)}`)
    return JSON.parse(line) as T
  }
}

/** Peak resident set (VmHWM) of a process, in MiB. */
export function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) / 1024 : NaN
}
