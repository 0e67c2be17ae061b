/**
 * Revocation holds on every replica at once. Two API instances and an ingest instance run on two
 * platforms sharing one metadata file and one real redis-server, with credential caches that
 * would otherwise keep a token or key for ten minutes: a token revoked through instance A is
 * refused by instance B, and a DSN key revoked or disabled through A is refused by B's ingest,
 * as soon as B hears the announcement — not when its cache entry would have aged out.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken, createOrganization } from '@faultline/core/accounts'
import { loadConfig } from '@faultline/core/config'
import { problemErrorHandler, problemNotFound } from '@faultline/core/http'
import { createLogger } from '@faultline/core/log'
import { openPlatform, type Platform } from '@faultline/core/platform'
import { createProject, createProjectKey } from '@faultline/core/projects'
import { startRedisServer, type RunningServer } from '@faultline/core/testing'
import { createApiTier, permissionsOf } from '@faultline/api'
import { createIngestTier, type IngestTier } from '@faultline/ingest'
import { envelopeOf, sentryEvent } from './support/events'
import { callApi as call, waitFor } from './support/in-process'

const dataDir = mkdtempSync(join(tmpdir(), 'faultline-revocation-'))
let redis: RunningServer
const platforms: Platform[] = []
let ingestB: IngestTier
const replicaA = new Hono()
const replicaB = new Hono()
let orgId: string
let projectId: string
let adminToken: string

async function send(app: Hono, publicKey: string): Promise<number> {
  const body = envelopeOf([sentryEvent({ type: 'RevocationError', value: 'still accepted?', stack: ['handler'] })])
  return (await app.request(`/api/${projectId}/envelope/?sentry_key=${publicKey}`, { method: 'POST', body })).status
}

beforeAll(async () => {
  redis = await startRedisServer()
  // Ten minutes: without the announcement, neither replica would notice a change within the test.
  const config = loadConfig({ DATA_DIR: dataDir, REDIS_URL: redis.url, LOG_LEVEL: 'error', CREDENTIAL_CACHE_TTL_MS: '600000' })
  for (const app of [replicaA, replicaB]) {
    const platform = await openPlatform(config, { logger: createLogger('error'), withEventStore: false })
    platforms.push(platform)
    app.onError(problemErrorHandler(platform.logger))
    app.notFound(problemNotFound)
    app.route('/', (await createApiTier(platform, 'http://127.0.0.1:1')).app)
  }
  ingestB = await createIngestTier(platforms[1]!)
  replicaB.route('/', ingestB.app)
  const accounts = platforms[0]!.accounts
  const org = await createOrganization(accounts, 'Acme')
  orgId = org._id
  projectId = (await createProject(platforms[0]!.projects, orgId, 'Shop')).project._id
  adminToken = (await createApiToken(accounts.tokens, { kind: 'org', orgId, name: 'admin', scopes: permissionsOf('admin') })).token
}, 60_000)

afterAll(async () => {
  await ingestB?.close()
  for (const platform of platforms) await platform.close()
  await redis?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('revocation across replicas', () => {
  it('refuses a token on replica B as soon as replica A revokes it', async () => {
    const { token, doc } = await createApiToken(platforms[0]!.accounts.tokens, { kind: 'org', orgId, name: 'ci', scopes: permissionsOf('admin') })
    // Both replicas now hold the token in their caches.
    for (const app of [replicaA, replicaB]) expect((await call(app, token, 'GET', `/projects/${projectId}/keys`)).status).toBe(200)
    expect((await call(replicaA, adminToken, 'DELETE', `/orgs/${orgId}/tokens/${doc._id}`)).status).toBe(204)
    expect((await call(replicaA, token, 'GET', `/projects/${projectId}/keys`)).status).toBe(401)
    const refused = await waitFor('replica B refusing the revoked token', async () => {
      const answer = await call(replicaB, token, 'GET', `/projects/${projectId}/keys`)
      return answer.status === 200 ? undefined : answer
    })
    expect(refused.status).toBe(401)
    expect(refused.body.detail).toMatch(/revoked/)
  })

  it("refuses a DSN key in replica B's ingest as soon as replica A revokes or disables it", async () => {
    const project = (await platforms[0]!.projects.projects.get(projectId))!
    for (const change of ['revoke', 'disable'] as const) {
      const key = await createProjectKey(platforms[0]!.projects, project, change, Date.now())
      expect(await send(replicaB, key._id)).toBe(200)
      const path = `/projects/${projectId}/keys/${key._id}`
      const answer = change === 'revoke' ? await call(replicaA, adminToken, 'DELETE', path) : await call(replicaA, adminToken, 'PATCH', path, { disabled: true })
      expect(answer.status).toBe(change === 'revoke' ? 204 : 200)
      const status = await waitFor(`replica B's ingest refusing the key after ${change}`, async () => {
        const status = await send(replicaB, key._id)
        return status === 200 ? undefined : status
      })
      expect([401, 403]).toContain(status)
    }
  })
})
