/**
 * Detections and project rules on a real SQLite store: another organization, even naming the
 * project and the ids, and another project of the same organization cannot read, list, change or
 * delete them.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqliteMetadataStore } from '../adapters/metadata'
import { insertDetection, openDetectionStores, projectRules, ruleGroupKey, type DetectionDoc, type DetectionStores } from './detection-store'

const dir = mkdtempSync(join(tmpdir(), 'fl-detection-store-'))
const metadata = createSqliteMetadataStore({ path: join(dir, 'metadata.sqlite') })
let stores: DetectionStores

// Acme owns projects 1 and 2, Globex project 3.
const acme = 'acme'
const globex = 'globex'
const ruleSource = "id: acme-failures\nname: Acme failures\nkind: threshold\nwhere: 'event.action: authn_login_fail'\ngroup_by: [user.name]\nwindow: 10s\nthreshold: 3"
const ruleDocId = '1:acme-failures'

function detection(id: string, projectId: string): Omit<DetectionDoc, 'orgId'> {
  const groupKey = JSON.stringify(['olive'])
  return {
    _id: id, projectId, ruleGroup: ruleGroupKey(projectId, 'acme-failures', groupKey), ruleId: 'acme-failures', ruleVersion: '0123456789ab', ruleName: 'Acme failures',
    kind: 'threshold', severity: 'medium', group: { 'user.name': 'olive' }, groupKey, anchorAt: 1_000, anchorEventId: 'e'.repeat(32), firstAt: 900, lastAt: 1_000,
    count: 3, eventIds: ['e'.repeat(32)], summary: '3 failures', detectedAt: 1_001, signalled: false,
  }
}

beforeAll(async () => {
  stores = await openDetectionStores(metadata)
  await stores.rules.put(acme, { _id: ruleDocId, projectId: '1', ruleId: 'acme-failures', source: ruleSource, enabled: true, updatedAt: 1 })
  expect(await insertDetection(stores, acme, detection('d1', '1'))).toBe(true)
})

afterAll(async () => {
  await metadata.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('detection stores', () => {
  it("run a project's own rule for its organization and project only", async () => {
    const ruleIds = async (orgId: string, projectId: string) => (await projectRules(stores, orgId, projectId)).map((r) => r.id)
    expect(await ruleIds(acme, '1')).toContain('acme-failures')
    // The built-in pack still runs everywhere; the project's own rule nowhere else.
    expect(await ruleIds(globex, '1')).not.toContain('acme-failures')
    expect(await ruleIds(globex, '1')).toContain('brute-force-single-ip')
    expect(await ruleIds(acme, '2')).not.toContain('acme-failures')
    expect(await stores.rules.get(globex, ruleDocId)).toBeNull()
    expect(await stores.rules.find(globex, { projectId: '1' })).toEqual([])
  })

  it("keep another organization from changing or deleting a project's rule", async () => {
    // A put onto another organization's id is a duplicate, not a change.
    await expect(stores.rules.put(globex, { _id: ruleDocId, projectId: '1', ruleId: 'acme-failures', enabled: false, updatedAt: 2 })).rejects.toMatchObject({ code: 'duplicate' })
    expect(await stores.rules.findOneAndUpdate(globex, { _id: ruleDocId }, { $set: { enabled: false } })).toBeNull()
    expect(await stores.rules.deleteMany(globex, { _id: ruleDocId, projectId: '1' })).toBe(0)
    expect(await stores.rules.get(acme, ruleDocId)).toMatchObject({ enabled: true, updatedAt: 1, source: ruleSource })
  })

  it("keep a project's detections from another organization and from its other projects", async () => {
    expect(await stores.detections.get(globex, 'd1')).toBeNull()
    expect(await stores.detections.getMany(globex, ['d1'])).toEqual([])
    expect(await stores.detections.find(globex, { projectId: '1' })).toEqual([])
    expect(await stores.detections.find(globex, { ruleGroup: detection('d1', '1').ruleGroup })).toEqual([])
    expect(await stores.detections.find(acme, { projectId: '2' })).toEqual([])
    expect(await stores.detections.updateMany(globex, { _id: { $in: ['d1'] } }, { $set: { signalled: true } })).toBe(0)
    expect(await stores.detections.deleteMany(globex, { _id: 'd1' })).toBe(0)
    expect(await stores.detections.get(acme, 'd1')).toMatchObject({ orgId: acme, projectId: '1', signalled: false })
  })
})
