/**
 * Dashboard bench (issue 11): with 10k issues and 1M events loaded (seed-issues.ts), in headless
 * Chromium against an embedded Faultline: navigation to a rendered issue stream, to a rendered
 * issue page, and a search round trip (Enter to the new rows rendered), p50/p95 over repeated
 * loads. Target: p95 ≤ 1 s each.
 *
 *   npm run bench -- dashboard          (BENCH_DASHBOARD_ROUNDS=40 by default: p95 is then not just the slowest load)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureBuilt } from '@faultline/dashboard'
import { chromium, type Page } from 'playwright-core'
import { createProjectIn, runScript, spawnFaultline } from '../support/processes'
import { runTs } from './processes'

const rounds = Number(process.env.BENCH_DASHBOARD_ROUNDS ?? 40)
const email = 'bench@example.com'
const password = 'correct horse battery staple'
const unlimited = { API_RATE_LIMIT_PER_MINUTE: '0', API_IP_RATE_LIMIT_PER_MINUTE: '0' }

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!

/** An owner of the seeded project's organization, written before Faultline starts. */
function createOwner(dataDir: string, orgProjectId: string): Promise<string> {
  return runScript(
    `import { loadConfig } from '@faultline/core/config'
     import { createLogger } from '@faultline/core/log'
     import { openPlatform } from '@faultline/core/platform'
     import { createUser, hashPassword, setMembership } from '@faultline/core/accounts'
     const platform = await openPlatform(loadConfig(), { logger: createLogger('warn'), withEventStore: false })
     const project = await platform.projects.projects.get(${JSON.stringify(orgProjectId)})
     const user = await createUser(platform.accounts, { email: ${JSON.stringify(email)}, name: 'Bench', passwordHash: await hashPassword(${JSON.stringify(password)}) })
     await setMembership(platform.accounts, project.orgId, user._id, 'owner')
     await platform.close()`,
    { DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  )
}

async function timed(run: () => Promise<void>): Promise<number> {
  const started = performance.now()
  await run()
  return performance.now() - started
}

const rendered = {
  stream: (page: Page) => page.locator('table.issues tbody tr').first().waitFor(),
  issue: (page: Page) => page.locator('nav[aria-label="Events of this issue"]').waitFor(),
}

async function main(): Promise<void> {
  ensureBuilt() // the build the API serves is the one measured, not a stale one
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-bench-dashboard-'))
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
  try {
    const project = await createProjectIn(dataDir, 'seeded')
    const seed = await runTs<{ seconds: number }>('tests/bench/seed-issues.ts', [project.projectId, '1000000', '10000'], { DATA_DIR: dataDir })
    await createOwner(dataDir, project.projectId)
    const server = await spawnFaultline({ dataDir, env: unlimited, readyTimeoutMs: 120_000 })
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } })
      const stream = `${server.url}/projects/${project.projectId}/issues`
      await page.goto(`${server.url}/login`)
      await page.fill('input[name=email]', email)
      await page.fill('input[name=password]', password)
      await page.click('button[type=submit]')
      await rendered.stream(page)

      const streamMs: number[] = []
      const issueMs: number[] = []
      const searchMs: number[] = []
      // Issues spread over the loud and the quiet end of the seeded distribution.
      const issueIds = Array.from({ length: rounds }, (_, i) => String(1_000_000 + ((i * 997) % 10_000)))
      const searches = ['is:unresolved level:fatal', 'is:unresolved release:shop@1.7', 'is:unresolved region:eu PaymentError12', 'is:all environment:staging', 'is:unresolved charge42']
      for (let i = 0; i < rounds; i++) {
        await page.goto('about:blank')
        streamMs.push(await timed(async () => (await page.goto(stream), await rendered.stream(page))))
        await page.goto('about:blank')
        issueMs.push(await timed(async () => (await page.goto(`${stream}/${issueIds[i]}`), await rendered.issue(page))))
        await page.goto(stream)
        await rendered.stream(page)
        const q = searches[i % searches.length]!
        const search = page.getByRole('combobox', { name: 'Search issues' })
        await search.fill(q)
        searchMs.push(
          await timed(async () => {
            const answered = page.waitForResponse((r) => r.url().includes('/issues?') && new URL(r.url()).searchParams.get('status') !== null && r.request().method() === 'GET' && decodeURIComponent(r.url()).includes(q.split(' ').at(-1)!.split(':').at(-1)!))
            await search.press('Enter')
            await answered
            await page.waitForFunction(() => document.querySelector('table.issues')?.getAttribute('aria-busy') === 'false' || document.querySelector('.empty') !== null)
          }),
        )
      }
      const row = (name: string, values: number[]) => `  ${name.padEnd(34)} ${percentile(values, 50).toFixed(0).padStart(6)} ${percentile(values, 95).toFixed(0).padStart(6)}   ${percentile(values, 95) <= 1000 ? 'ok' : 'OVER'}`
      console.log(`dashboard bench: ${rounds} rounds, 10k issues / 1M events (seeded in ${seed.seconds.toFixed(0)} s), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
      console.log(`  ${'measure (ms)'.padEnd(34)} ${'p50'.padStart(6)} ${'p95'.padStart(6)}   target p95 ≤ 1000`)
      console.log(row('issue stream, navigation → rows', streamMs))
      console.log(row('issue page, navigation → event', issueMs))
      console.log(row('search, Enter → new rows', searchMs))
    } finally {
      await server.stop()
    }
  } finally {
    await browser.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
