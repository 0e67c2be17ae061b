import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeIngest, type FakeIngest } from '../testing'
import { unhandledRejectionMode } from './global-handlers'

const fixture = fileURLToPath(new URL('./fixtures/crash-app.ts', import.meta.url))
let ingest: FakeIngest
beforeAll(async () => {
  ingest = await startFakeIngest()
})
beforeEach(() => {
  ingest.requests.length = 0
  ingest.setReply(() => ({ status: 200 }))
})
afterAll(() => ingest.close())

/** Runs the crash app; a child still running after 90 s (tsx starting on a loaded machine takes a while) is killed and the run fails saying so. */
function run(mode: string, nodeArgs: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', fixture, mode], { env: { ...process.env, FAULTLINE_DSN: ingest.dsn, NODE_OPTIONS: '' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    const hung = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`crash app '${mode}' still running after 90 s; stdout: ${stdout} stderr: ${stderr}`))
    }, 90_000)
    child.on('exit', (code) => {
      clearTimeout(hung)
      resolve({ code, stdout, stderr })
    })
  })
}

describe('global handlers (child processes)', () => {
  it('reports an uncaught exception, then exits 1 as Node would', async () => {
    const result = await run('uncaught')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('boom uncaught')
    const [event] = ingest.events()
    expect(event).toMatchObject({ release: 'crash@1', tags: { mode: 'uncaught' } })
    expect(event!.exception!.values[0]).toMatchObject({ type: 'Error', value: 'boom uncaught', mechanism: { type: 'onuncaughtexception', handled: false } })
    expect(event!.exception!.values[0]!.stacktrace!.frames.at(-1)!.context_line).toContain('throw new Error(`boom ${mode}`)')
  })

  it('reports an unhandled rejection and exits 1 (Node default mode: throw)', async () => {
    const result = await run('rejection')
    expect(result.code).toBe(1)
    expect(ingest.events()[0]!.exception!.values[0]).toMatchObject({ type: 'RangeError', value: 'rejected rejection', mechanism: { type: 'onunhandledrejection', handled: false } })
  })

  it('keeps running under --unhandled-rejections=warn', async () => {
    const result = await run('rejection-warn', ['--unhandled-rejections=warn'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('still alive')
    expect(ingest.events()).toHaveLength(1)
  })

  it('leaves the decision to the app when it has its own uncaughtException listener', async () => {
    const result = await run('handled-by-app')
    expect(result.code).toBe(7)
    expect(result.stdout).toContain('app handled: boom handled-by-app')
    expect(ingest.events()).toHaveLength(1)
  })

  it('exits after its flush bound when ingest never answers', async () => {
    // Never within the test: a process that waited for this answer would not exit at all.
    ingest.setReply(() => ({ delayMs: 10 * 60_000 }))
    const result = await run('uncaught')
    expect(result.code).toBe(1)
    expect(ingest.requests.length).toBeGreaterThan(0)
  })
})

describe('unhandledRejectionMode', () => {
  it('reads the flag from argv or NODE_OPTIONS, defaulting to throw', () => {
    expect(unhandledRejectionMode([], '')).toBe('throw')
    expect(unhandledRejectionMode(['--unhandled-rejections=warn'], '')).toBe('warn')
    expect(unhandledRejectionMode([], '--max-old-space-size=100 --unhandled-rejections=none')).toBe('none')
    expect(unhandledRejectionMode(['--unhandled-rejections=bogus'], '')).toBe('throw')
  })
})
