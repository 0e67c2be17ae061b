/**
 * Investigations and saved searches on a real SQLite store: another organization, even naming the
 * project and the id, and another project of the same organization cannot read, list, change or
 * delete them; each answers 404 as if they did not exist.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqliteMetadataStore } from '@faultline/core/adapters/metadata'
import { TenantCollection } from '@faultline/core/tenancy'
import {
  changeInvestigation,
  createInvestigation,
  deleteSavedSearch,
  getInvestigation,
  investigationCollections,
  listInvestigations,
  listSavedSearches,
  saveSearch,
  type Investigation,
  type InvestigationDoc,
  type InvestigationStores,
  type SavedSearch,
  type SavedSearchDoc,
} from './security-investigations'

const dir = mkdtempSync(join(tmpdir(), 'fl-investigations-'))
const metadata = createSqliteMetadataStore({ path: join(dir, 'metadata.sqlite') })
let stores: InvestigationStores
let investigation: Investigation
let search: SavedSearch

// Acme owns projects 1 and 2, Globex project 3.
const acme = 'acme'
const globex = 'globex'

const status = (promise: Promise<unknown>) => promise.then(() => 200, (error: { status?: number }) => error.status)

beforeAll(async () => {
  stores = {
    investigations: await TenantCollection.open<InvestigationDoc>(metadata, investigationCollections.investigations),
    savedSearches: await TenantCollection.open<SavedSearchDoc>(metadata, investigationCollections.savedSearches),
  }
  investigation = await createInvestigation(stores, acme, '1', 'Card testing', 'olive', ['a'.repeat(32)])
  search = await saveSearch(stores, acme, '1', { name: 'Failures', query: 'event.outcome: failure', columns: [] }, 'olive')
})

afterAll(async () => {
  await metadata.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('security investigations and saved searches', () => {
  it('answer their own organization and project, without the organization in what the API sends', async () => {
    expect(await getInvestigation(stores, acme, '1', investigation._id)).toEqual(investigation)
    expect(investigation).not.toHaveProperty('orgId')
    expect(await listInvestigations(stores, acme, '1')).toEqual([investigation])
    expect(await listSavedSearches(stores, acme, '1')).toEqual([search])
    expect(search).not.toHaveProperty('orgId')
  })

  it("keep an investigation from another organization and from the organization's other projects", async () => {
    for (const [orgId, projectId] of [[globex, '1'], [globex, '3'], [acme, '2']] as const) {
      const where = `${orgId}/${projectId}`
      expect(await status(getInvestigation(stores, orgId, projectId, investigation._id)), where).toBe(404)
      expect(await listInvestigations(stores, orgId, projectId), where).toEqual([])
      expect(await status(changeInvestigation(stores, orgId, projectId, investigation._id, { title: 'Taken', status: 'closed' }, 'mallory')), where).toBe(404)
    }
    expect(await getInvestigation(stores, acme, '1', investigation._id)).toMatchObject({ title: 'Card testing', status: 'open' })
  })

  it("keep a saved search from another organization and from the organization's other projects", async () => {
    for (const [orgId, projectId] of [[globex, '1'], [globex, '3'], [acme, '2']] as const) {
      const where = `${orgId}/${projectId}`
      expect(await listSavedSearches(stores, orgId, projectId), where).toEqual([])
      expect(await status(deleteSavedSearch(stores, orgId, projectId, search._id)), where).toBe(404)
    }
    expect(await listSavedSearches(stores, acme, '1')).toEqual([search])
    await deleteSavedSearch(stores, acme, '1', search._id)
    expect(await listSavedSearches(stores, acme, '1')).toEqual([])
  })
})
