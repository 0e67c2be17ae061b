import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSqliteMetadataStore } from '../adapters/metadata'
import { openAccountStores } from '../accounts'
import { loadConfig } from '../config'
import { createLogger } from '../log'
import { openPlatform } from '../platform'

const dir = mkdtempSync(join(tmpdir(), 'faultline-tenancy-migration-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('metadata migration 1: default organization', () => {
  it('moves projects, keys and tokens from before tenancy into one Default organization when the platform opens', async () => {
    const dataDir = join(dir, 'old')
    mkdirSync(dataDir)
    const old = createSqliteMetadataStore({ path: join(dataDir, 'metadata.sqlite') })
    const projects = await old.collection<{ _id: string; name: string; slug: string; createdAt: number }>({ name: 'projects', indexes: ['slug'] })
    const keys = await old.collection<{ _id: string; projectId: string; label: string; createdAt: number; disabled: boolean }>({ name: 'project_keys', indexes: ['projectId'] })
    const tokens = await old.collection<{ _id: string; name: string; prefix: string; createdAt: number }>({ name: 'api_tokens', indexes: [] })
    await projects.insert({ _id: '1', name: 'Shop', slug: 'shop', createdAt: 1 })
    await projects.insert({ _id: '2', name: 'Admin', slug: 'admin', createdAt: 2 })
    await keys.insert({ _id: 'a'.repeat(32), projectId: '2', label: 'Default', createdAt: 2, disabled: false })
    await tokens.insert({ _id: 'f'.repeat(64), name: 'ci', prefix: 'flt_abcd', createdAt: 3 })
    await old.close()

    for (let start = 0; start < 2; start++) {
      const platform = await openPlatform(loadConfig({ DATA_DIR: dataDir }), { logger: createLogger('error'), withEventStore: false })
      const orgs = await platform.accounts.organizations.find({})
      expect(orgs.map((o) => o.slug)).toEqual(['default'])
      const orgId = orgs[0]!._id
      expect((await platform.projects.projects.find({})).map((p) => p.orgId)).toEqual([orgId, orgId])
      expect((await platform.projects.keys.find({})).map((k) => [k.projectId, k.orgId])).toEqual([['2', orgId]])
      const [token] = await platform.accounts.tokens.find({})
      expect(token).toMatchObject({ kind: 'org', orgId, name: 'ci' })
      expect(token!.scopes).toContain('issues:write')
      expect(token!.scopes).not.toContain('instance:write')
      await platform.close()
    }
  })

  it('creates no organization on a fresh install', async () => {
    const platform = await openPlatform(loadConfig({ DATA_DIR: join(dir, 'fresh') }), { logger: createLogger('error'), withEventStore: false })
    expect(await platform.accounts.organizations.count({})).toBe(0)
    await platform.close()
    const store = createSqliteMetadataStore({ path: join(dir, 'fresh', 'metadata.sqlite') })
    expect(await (await openAccountStores(store)).organizations.count({})).toBe(0)
    await store.close()
  })
})
