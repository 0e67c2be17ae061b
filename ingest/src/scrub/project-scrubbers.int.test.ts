/**
 * Rule changes reach every ingest replica without a restart: two replicas, each with its own
 * Redis connection (a real redis-server) and its own handle on one metadata file, as two
 * processes would have.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openRedisCache } from '@faultline/core/adapters/cache'
import { createSqliteMetadataStore } from '@faultline/core/adapters/metadata'
import { createLogger } from '@faultline/core/log'
import type { Cache, MetadataStore } from '@faultline/core/ports'
import { announceSettingsChange, PrivacySettingsStore, privacySettingsSchema } from '@faultline/core/privacy'
import { createKeyring, generateMasterKey, openSecretStore, parseMasterKey } from '@faultline/core/secrets'
import { startRedisServer, type RunningServer } from '@faultline/core/testing'
import { ProjectScrubbers } from './project-scrubbers'
import { F } from './scrub-testing'

interface Replica {
  cache: Cache
  metadata: MetadataStore
  settings: PrivacySettingsStore
  scrubbers: ProjectScrubbers
}

const dir = mkdtempSync(join(tmpdir(), 'faultline-scrubbers-'))
const masterKey = parseMasterKey(generateMasterKey(), 'test')
let redis: RunningServer
const replicas: Replica[] = []
/** Every project of these tests belongs to one organization. */
const orgId = '1'

async function replica(refreshMs: number): Promise<Replica> {
  const cache = await openRedisCache({ url: redis.url })
  const metadata = createSqliteMetadataStore({ path: join(dir, 'metadata.sqlite') })
  const settings = await PrivacySettingsStore.open(metadata, { scrubIpAddresses: false })
  const secrets = await openSecretStore(metadata, createKeyring(masterKey))
  const scrubbers = await ProjectScrubbers.open({ settings, organizations: { orgOf: async () => orgId }, secrets, cache, logger: createLogger('error'), refreshMs })
  const made = { cache, metadata, settings, scrubbers }
  replicas.push(made)
  return made
}

async function scrubbed(replica: Replica, projectId: string, extra: Record<string, unknown>): Promise<unknown> {
  return (await replica.scrubbers.forProject(projectId)).scrubEvent({ extra }).event.extra
}

/** Polls until `check` holds, failing loudly after the deadline. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

beforeAll(async () => {
  redis = await startRedisServer()
})

afterAll(async () => {
  for (const r of replicas) {
    await r.scrubbers.close()
    await r.cache.close()
    await r.metadata.close()
  }
  await redis?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('project scrubbers across replicas', () => {
  it('applies a change announced on one replica to new events on every replica', async () => {
    // A long refresh period: only the announcement can explain a quick change.
    const [a, b] = [await replica(3_600_000), await replica(3_600_000)]
    expect(await scrubbed(b, '1', { diagnosis: 'J45', mrn: '123' })).toEqual({ diagnosis: 'J45', mrn: F })

    const settings = privacySettingsSchema.parse({ customRules: [{ id: 'diagnosis', keys: { contains: ['diagnosis'] } }], packs: { default: true, healthcare: false } })
    const result = await a.settings.update(orgId, '1', settings, { expectedVersion: 0, actor: 'test' })
    expect(result.ok).toBe(true)
    await announceSettingsChange(a.cache, { projectId: '1', version: 1 })

    for (const r of [a, b]) {
      await until(async () => JSON.stringify(await scrubbed(r, '1', { diagnosis: 'J45', mrn: '123' })) === JSON.stringify({ diagnosis: F, mrn: '123' }), 'the new rules')
    }
  })

  it('picks up a change whose announcement was lost, at the next refresh', async () => {
    const r = await replica(50)
    expect(await scrubbed(r, '2', { phone: '555-123-4567' })).toEqual({ phone: F })
    await r.settings.update(orgId, '2', privacySettingsSchema.parse({ packs: { default: true, healthcare: false } }), { actor: 'test' })
    await until(async () => JSON.stringify(await scrubbed(r, '2', { phone: '555-123-4567' })) === JSON.stringify({ phone: '555-123-4567' }), 'the refresh')
  })

  it('hashes with one project secret on every replica', async () => {
    const [a, b] = [await replica(3_600_000), await replica(3_600_000)]
    const [first, second] = await Promise.all([a.scrubbers.forProject('3'), b.scrubbers.forProject('3')])
    const user = (s: typeof first) => s.scrubEvent({ user: { email: 'jane@example.com' } }).event.user
    expect(user(first)).toEqual(user(second))
    expect(user(first)).not.toEqual(user(await a.scrubbers.forProject('4')))
  })
})
