import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSqliteMetadataStore } from '../adapters/metadata'
import { createOrganization } from '../accounts'
import { loadConfig } from '../config'
import { createLogger } from '../log'
import { openPlatform } from '../platform'
import { createProject } from '../projects'
import { openOutcomes } from '../outcomes'
import { openDetectionStores } from '../detections'

/** Version 4's and version 5's collections. */
const projectRecords = ['issue_activity', 'privacy_settings', 'privacy_settings_history', 'privacy_erasures', 'security_detections', 'security_rules', 'security_investigations', 'security_saved_searches']
const dir = mkdtempSync(join(tmpdir(), 'faultline-tenant-migration-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('metadata migrations 2 to 5: organizations on tenant documents, slugs per organization', () => {
  it('gives issues, fingerprints, outcomes, template miners, issue activity, privacy settings, erasures, detections, detection rules, investigations and saved searches their project organization, and frees slugs across organizations', async () => {
    const dataDir = join(dir, 'old')
    mkdirSync(dataDir)
    // A store as it was before: projects with a unique slug across the instance, documents without orgId.
    const old = createSqliteMetadataStore({ path: join(dataDir, 'metadata.sqlite') })
    const projects = await old.collection<{ _id: string; name: string; slug: string; createdAt: number }>({ name: 'projects', indexes: ['slug'], unique: [['slug']] })
    await projects.insert({ _id: '1', name: 'Shop', slug: 'shop', createdAt: 1 })
    await (await old.collection<{ _id: string; value: number }>({ name: 'counters', indexes: [] })).insert({ _id: 'project', value: 1 })
    const raw = async (name: string) => old.collection<{ _id: string; projectId: string }>({ name, indexes: [] })
    await (await raw('issues')).insert({ _id: '10', projectId: '1' })
    await (await raw('issues')).insert({ _id: '11', projectId: '99' })
    await (await raw('fingerprints')).insert({ _id: '1:abc', projectId: '1' })
    await (await raw('outcomes')).insert({ _id: '1:0:error:accepted:', projectId: '1' })
    await (await raw('template_miners')).insert({ _id: '1', projectId: '1' })
    await (await raw('template_journal')).insert({ _id: 'j1', projectId: '1' })
    for (const name of projectRecords) await (await raw(name)).insert({ _id: 'r1', projectId: '1' })
    await old.close()

    for (let start = 0; start < 2; start++) {
      const platform = await openPlatform(loadConfig({ DATA_DIR: dataDir }), { logger: createLogger('error'), withEventStore: false })
      const orgId = (await platform.projects.projects.get('1'))!.orgId
      expect(orgId).toMatch(/^\d+$/)
      expect((await platform.issues.issues.get(orgId, '10'))?.projectId).toBe('1')
      expect((await platform.issues.fingerprints.get(orgId, '1:abc'))?.projectId).toBe('1')
      expect(await (await openOutcomes(platform.metadata)).count(orgId, {})).toBe(1)
      const miners = await platform.metadata.collection<{ _id: string; orgId?: string }>({ name: 'template_miners', indexes: [] })
      expect((await miners.get('1'))?.orgId).toBe(orgId)
      const journal = await platform.metadata.collection<{ _id: string; orgId?: string }>({ name: 'template_journal', indexes: ['projectId', 'at'] })
      expect((await journal.get('j1'))?.orgId).toBe(orgId)
      for (const name of projectRecords) expect((await (await platform.metadata.collection<{ _id: string; orgId?: string }>({ name, indexes: [] })).get('r1'))?.orgId, name).toBe(orgId)
      expect((await platform.issues.activity.get(orgId, 'r1'))?.projectId).toBe('1')
      const detections = await openDetectionStores(platform.metadata)
      expect((await detections.rules.get(orgId, 'r1'))?.projectId).toBe('1')
      expect((await detections.detections.get(orgId, 'r1'))?.projectId).toBe('1')
      // A project that no longer exists gives its issue no organization: it stays out of reach.
      const issues = await platform.metadata.collection<{ _id: string; orgId?: string }>({ name: 'issues', indexes: [] })
      expect((await issues.get('11'))?.orgId).toBeUndefined()

      if (start === 0) {
        const other = await createOrganization(platform.accounts, 'Other')
        expect((await createProject(platform.projects, other._id, 'Shop')).project.slug).toBe('shop')
        await expect(createProject(platform.projects, other._id, 'shop')).rejects.toMatchObject({ code: 'duplicate' })
      }
      await platform.close()
    }
  })
})
