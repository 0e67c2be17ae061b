/**
 * Issue 10's benchmark: what authentication and authorization cost per API request, and sign-in
 * latency with the chosen argon2id parameters. The same trivial handler is timed behind the real
 * middleware chain (IP limit → authenticate → caller limit → denyUndeclared → requires('issues:read')
 * on a project route; limits raised so the bench is not refused; SQLite metadata, memory cache)
 * and bare; the difference is the cost of auth. Token lookups cached (the API's 10 s cache) and
 * cold (no cache: a metadata read per request), and a browser session (always read).
 *
 *   npm run bench -- auth
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono, type MiddlewareHandler } from 'hono'
import { createApiToken, createOrganization, createSession, createUser, defaultSecurityPolicy, hashPassword, passwordHashParameters, setMembership, verifyPassword } from '@faultline/core/accounts'
import { loadConfig } from '@faultline/core/config'
import { createLogger } from '@faultline/core/log'
import { openPlatform } from '@faultline/core/platform'
import { createProject } from '@faultline/core/projects'
import { denyUndeclared, requires, type ApiEnv } from '@faultline/api'
import { apiRateLimit } from '../../api/src/middleware/hardening'
import { authenticate, tokenCache } from '../../api/src/middleware/authenticate'
import { createAuthorizer } from '../../api/src/services/authorizer'

const rounds = Number(process.env.BENCH_AUTH_REQUESTS ?? 5000)
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!
const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`

const dataDir = mkdtempSync(join(tmpdir(), 'faultline-bench-auth-'))
const platform = await openPlatform(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error' }), { logger: createLogger('error'), withEventStore: false })
try {
  const org = await createOrganization(platform.accounts, 'Bench')
  const project = (await createProject(platform.projects, org._id, 'bench')).project
  const user = await createUser(platform.accounts, { email: 'bench@bench.test', name: 'bench' })
  await setMembership(platform.accounts, org._id, user._id, 'member')
  const token = (await createApiToken(platform.accounts.tokens, { kind: 'org', orgId: org._id, name: 'bench', scopes: ['issues:read'], projectIds: [project._id] })).token
  const session = await createSession(platform.accounts.sessions, { user, policy: defaultSecurityPolicy, state: 'active', mfaVerified: false })

  const path = `/projects/${project._id}/issues`
  const app = (withAuth: boolean, cacheTtlMs: number) => {
    const router = new Hono<ApiEnv>()
    const authorizer = createAuthorizer(platform)
    if (withAuth) {
      router.use('*', async (c, next) => {
        c.set('authorizer', authorizer)
        await next()
      })
      router.use('*', apiRateLimit(platform.cache, 'ip', platform.config.api.ipRateLimitPerMinute * 100))
      router.use('*', authenticate(platform.accounts, tokenCache(platform.accounts, cacheTtlMs), platform.logger))
      router.use('*', apiRateLimit(platform.cache, 'caller', platform.config.api.rateLimitPerMinute * 100))
      router.use('*', denyUndeclared(platform.logger))
    }
    const guard: MiddlewareHandler<ApiEnv> = withAuth ? requires('issues:read') : async (_c, next) => next()
    router.get('/projects/:projectId/issues', guard, (c) => c.json({ data: [] }))
    return router
  }
  const time = async (router: Hono<ApiEnv>, headers: Record<string, string>) => {
    const samples: number[] = []
    for (let i = 0; i < rounds; i++) {
      const start = performance.now()
      const response = await router.request(path, { headers })
      await response.arrayBuffer()
      if (response.status !== 200) throw new Error(`answered ${response.status}`)
      samples.push(performance.now() - start)
    }
    return { p50: percentile(samples, 50), p95: percentile(samples, 95) }
  }

  const bare = await time(app(false, 0), {})
  const variants = [
    ['token, cached lookup', await time(app(true, 10_000), { authorization: `Bearer ${token}` })],
    ['token, cold (metadata read)', await time(app(true, 0), { authorization: `Bearer ${token}` })],
    ['browser session', await time(app(true, 10_000), { cookie: `fl_session=${session.cookie}` })],
  ] as const

  const hashes: number[] = []
  const verifies: number[] = []
  let stored = ''
  for (let i = 0; i < 20; i++) {
    let start = performance.now()
    stored = await hashPassword(`password number ${i}`)
    hashes.push(performance.now() - start)
    start = performance.now()
    await verifyPassword(stored, `password number ${i}`)
    verifies.push(performance.now() - start)
  }

  console.log(`auth bench: ${rounds} requests per variant, in process (app.request), SQLite metadata; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  console.log(`bare handler                     p50 ${us(bare.p50)}  p95 ${us(bare.p95)}`)
  for (const [name, t] of variants) {
    console.log(`${name.padEnd(32)} p50 ${us(t.p50)}  p95 ${us(t.p95)}   auth cost p50 ${us(t.p50 - bare.p50)}  p95 ${us(t.p95 - bare.p95)}`)
  }
  const p = passwordHashParameters
  console.log(`sign-in KDF argon2id m=${p.memoryCost} KiB t=${p.timeCost} p=${p.parallelism}: hash p50 ${percentile(hashes, 50).toFixed(1)} ms p95 ${percentile(hashes, 95).toFixed(1)} ms; verify (the sign-in cost) p50 ${percentile(verifies, 50).toFixed(1)} ms p95 ${percentile(verifies, 95).toFixed(1)} ms`)
  const worst = Math.max(...variants.map(([, t]) => t.p95 - bare.p95))
  console.log(`target: issue-list p95 moves by at most 5% with auth on; the pipeline bench's issue-list target is p95 ≤ 100 ms, so auth may cost ≤ 5 ms; worst p95 auth cost here ${us(worst)} (${((worst / 100) * 100).toFixed(2)}% of 100 ms)`)
} finally {
  await platform.close()
  rmSync(dataDir, { recursive: true, force: true })
}
