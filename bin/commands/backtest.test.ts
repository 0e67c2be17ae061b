/** `faultline backtest` as a user pipes it: the whole JSON reaches the reader, however large. */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'fl-backtest-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/faultline.ts', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('faultline backtest', () => {
  it('writes all of a large result to a pipe before it exits', async () => {
    const file = join(dir, 'series.csv')
    const start = Date.UTC(2025, 0, 1)
    const lines = ['timestamp,value']
    for (let i = 0; i < 3000; i++) lines.push(`${new Date(start + i * 60_000).toISOString()},${i % 500 === 499 ? 90 : 5 + (i % 7)}`)
    writeFileSync(file, lines.join('\n'))
    const { code, stdout, stderr } = await runCli(['backtest', file])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    // Far beyond a pipe's 64 KiB buffer: cut output would not parse.
    expect(stdout.length).toBeGreaterThan(256 * 1024)
    expect(JSON.parse(stdout).points).toHaveLength(3000)
  }, 60_000)
})
