/**
 * `npm run test:mutations [-- NAME-FILTER...]`: does the suite fail when the code is wrong? Each
 * mutation in mutations.ts is applied alone to a scratch copy of the working tree (a detached git
 * worktree of `git stash create`, so uncommitted changes to tracked files are included), its tests
 * run there, and a table says which bugs were caught. The tests of every mutation are first run
 * unmutated: a mutation is only "caught" if its tests passed without it. Not part of `npm test`.
 *
 *   --list   check the snippets only (stale or not), run nothing
 *
 * Exit code 1 when a mutation was missed or is stale.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mutations, type Mutation } from './mutations'

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const runTimeoutMs = 20 * 60_000
const args = process.argv.slice(2)
const listOnly = args.includes('--list')
const filters = args.filter((arg) => !arg.startsWith('--'))
const chosen = mutations.filter((m) => filters.length === 0 || filters.some((f) => m.name.includes(f) || m.area.includes(f)))

type Outcome = { result: 'caught' | 'MISSED' | 'stale' | 'baseline failed' | 'found'; detail: string; seconds: number; failed?: string[] }

const git = (cwd: string, ...gitArgs: string[]): string => execFileSync('git', gitArgs, { cwd, encoding: 'utf8' }).trim()

/** A worktree of the current tracked state, with node_modules pointing back at this checkout's. */
function scratchCopy(): string {
  const snapshot = git(repoRoot, 'stash', 'create') || 'HEAD'
  const dir = mkdtempSync(join(tmpdir(), 'faultline-mutations-'))
  git(repoRoot, 'worktree', 'add', '--detach', '--quiet', dir, snapshot)
  // Workspaces must resolve to the scratch copy (that is where the bugs are), everything else to
  // the installed packages: a symlink per entry, and @faultline/* pointing inside the copy.
  const modules = join(repoRoot, 'node_modules')
  mkdirSync(join(dir, 'node_modules'))
  for (const entry of readdirSync(modules)) {
    if (entry === '@faultline') continue
    symlinkSync(join(modules, entry), join(dir, 'node_modules', entry))
  }
  mkdirSync(join(dir, 'node_modules', '@faultline'))
  for (const workspace of readdirSync(join(modules, '@faultline'))) {
    symlinkSync(join('..', '..', workspace), join(dir, 'node_modules', '@faultline', workspace))
  }
  for (const workspace of readdirSync(dir)) {
    const own = join(repoRoot, workspace, 'node_modules')
    if (workspace !== 'node_modules' && existsSync(own) && !existsSync(join(dir, workspace, 'node_modules'))) symlinkSync(own, join(dir, workspace, 'node_modules'))
  }
  return dir
}

function removeScratch(dir: string): void {
  try {
    git(repoRoot, 'worktree', 'remove', '--force', dir)
  } catch {
    rmSync(dir, { recursive: true, force: true })
    git(repoRoot, 'worktree', 'prune')
  }
}

/** Where the snippet is: its one index, or why the mutation is stale. */
function locate(dir: string, m: Mutation): { index: number } | { stale: string } {
  const path = join(dir, m.file)
  if (!existsSync(path)) return { stale: `${m.file} not found` }
  const text = readFileSync(path, 'utf8')
  const index = text.indexOf(m.find)
  if (index < 0) return { stale: 'snippet not found' }
  if (text.indexOf(m.find, index + 1) >= 0) return { stale: 'snippet found more than once' }
  return { index }
}

interface TestRun {
  passed: boolean
  failed: string[]
  output: string
}

/** Runs vitest on `tests` in `dir`; the JSON report says which tests failed. */
function runTests(dir: string, tests: string[], testNamePattern?: string): Promise<TestRun> {
  const report = join(dir, `.mutation-report-${Date.now()}.json`)
  const vitestArgs = ['vitest', 'run', ...tests, '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`, ...(testNamePattern ? ['-t', testNamePattern] : [])]
  return new Promise((resolveRun) => {
    const child = spawn('npx', vitestArgs, { cwd: dir, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)))
    child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)))
    const timer = setTimeout(() => child.kill('SIGKILL'), runTimeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      let failed: string[] = []
      try {
        const json = JSON.parse(readFileSync(report, 'utf8')) as { testResults: { assertionResults: { status: string; fullName: string }[] }[] }
        failed = json.testResults.flatMap((file) => file.assertionResults.filter((a) => a.status === 'failed').map((a) => a.fullName))
        rmSync(report, { force: true })
      } catch {
        failed = code === 0 ? [] : ['(no report: the run itself failed)']
      }
      resolveRun({ passed: code === 0, failed, output })
    })
  })
}

async function main(): Promise<number> {
  if (chosen.length === 0) {
    console.error(`no mutation matches ${filters.join(' ')}`)
    return 2
  }
  const dir = scratchCopy()
  const cleanup = (): void => removeScratch(dir)
  process.once('SIGINT', () => {
    cleanup()
    process.exit(130)
  })
  const outcomes = new Map<Mutation, Outcome>()
  try {
    const located = chosen.map((m) => [m, locate(dir, m)] as const)
    for (const [m, where] of located) if ('stale' in where) outcomes.set(m, { result: 'stale', detail: `${m.file}: ${where.stale}`, seconds: 0 })
    if (!listOnly) {
      const baselines = new Map<string, TestRun>()
      for (const [m, where] of located) {
        if ('stale' in where) continue
        const key = JSON.stringify([m.tests, m.testNamePattern])
        if (!baselines.has(key)) {
          console.log(`baseline: ${m.tests.join(' ')}${m.testNamePattern ? ` -t "${m.testNamePattern}"` : ''}`)
          const baseline = await runTests(dir, m.tests, m.testNamePattern)
          // Why the unmutated tests failed, since no mutation of theirs can be judged.
          if (!baseline.passed) console.log(`baseline failed:\n${baseline.output.slice(-4_000)}`)
          baselines.set(key, baseline)
        }
        const baseline = baselines.get(key)!
        if (!baseline.passed) {
          outcomes.set(m, { result: 'baseline failed', detail: `unmutated: ${baseline.failed.slice(0, 2).join('; ')}`, seconds: 0 })
          continue
        }
        const path = join(dir, m.file)
        const original = readFileSync(path, 'utf8')
        writeFileSync(path, original.slice(0, where.index) + m.replace + original.slice(where.index + m.find.length))
        const started = Date.now()
        console.log(`mutation: ${m.name}`)
        try {
          const run = await runTests(dir, m.tests, m.testNamePattern)
          const seconds = Math.round((Date.now() - started) / 1000)
          outcomes.set(m, run.passed ? { result: 'MISSED', detail: 'every test passed', seconds } : { result: 'caught', detail: `${run.failed.length} failed, e.g. ${run.failed[0] ?? '?'}`, seconds, failed: run.failed })
        } finally {
          writeFileSync(path, original)
        }
      }
    }
  } finally {
    cleanup()
  }
  printTable(chosen.map((m) => [m, outcomes.get(m) ?? { result: 'found', detail: '', seconds: 0 }]))
  const bad = [...outcomes.values()].filter((o) => o.result !== 'caught').length
  return bad > 0 ? 1 : 0
}

function printTable(rows: [Mutation, Outcome][]): void {
  const cells = rows.map(([m, o]) => [m.area, m.name, o.result, o.seconds ? `${o.seconds} s` : '', o.detail])
  const header = ['area', 'mutation', 'result', 'time', 'detail']
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => Math.min(c[i]!.length, i === 4 ? 90 : 60))))
  const line = (c: string[]) => `| ${c.map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!))).join(' | ')} |`
  console.log(`\n${line(header)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`)
  for (const c of cells) console.log(line(c))
  const counts = new Map<string, number>()
  for (const [, o] of rows) counts.set(o.result, (counts.get(o.result) ?? 0) + 1)
  console.log(`\n${rows.length} mutations: ${[...counts].map(([r, n]) => `${n} ${r}`).join(', ')}`)
  // The table cuts test names short: which tests failed, in full.
  for (const [m, o] of rows) {
    if (o.failed?.length) console.log(`\n${m.name} — caught by:\n${o.failed.map((name) => `  ${name}`).join('\n')}`)
  }
}

process.exit(await main())
