/**
 * Investigations (pinned events and notes under a title) and saved searches, per project, in the
 * metadata store. Both belong to the project's organization: every function takes the
 * organization and the project first, every read and write names the organization
 * (`TenantCollection`) and the project, so another organization's or project's investigation
 * answers 404 even to a caller who knows its id.
 */
import { randomUUID } from 'node:crypto'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import type { CollectionSpec } from '@faultline/core/ports'
import { TenantCollection, withoutOrg } from '@faultline/core/tenancy'

/** An investigation as the API answers it. */
export interface Investigation {
  _id: string
  projectId: string
  title: string
  status: 'open' | 'closed'
  pinned: { eventId: string; pinnedAt: number; by: string }[]
  notes: { id: string; text: string; at: number; by: string }[]
  createdAt: number
  createdBy: string
  updatedAt: number
}

/** A saved search as the API answers it. */
export interface SavedSearch {
  _id: string
  projectId: string
  name: string
  query: string
  columns: string[]
  createdAt: number
  createdBy: string
}

/** As stored: with the organization, which every read and write names and the API does not answer. */
export type InvestigationDoc = Investigation & { orgId: string }
export type SavedSearchDoc = SavedSearch & { orgId: string }

export interface InvestigationStores {
  investigations: TenantCollection<InvestigationDoc>
  savedSearches: TenantCollection<SavedSearchDoc>
}

/** Core's metadata migration 5 gave the stored documents their organization (it names these collections, as core cannot import the API). */
export const investigationCollections: Record<keyof InvestigationStores, CollectionSpec> = {
  investigations: { name: 'security_investigations', indexes: ['projectId', 'updatedAt'] },
  savedSearches: { name: 'security_saved_searches', indexes: ['projectId'] },
}

const opened = new WeakMap<Platform, Promise<InvestigationStores>>()

export function investigationStores(platform: Platform): Promise<InvestigationStores> {
  let stores = opened.get(platform)
  if (!stores) {
    stores = (async () => ({
      investigations: await TenantCollection.open<InvestigationDoc>(platform.metadata, investigationCollections.investigations),
      savedSearches: await TenantCollection.open<SavedSearchDoc>(platform.metadata, investigationCollections.savedSearches),
    }))()
    opened.set(platform, stores)
  }
  return stores
}

const maxPins = 500
const maxNotes = 500

export async function getInvestigation(stores: InvestigationStores, orgId: string, projectId: string, id: string): Promise<Investigation> {
  const doc = await stores.investigations.findOne(orgId, { _id: id, projectId })
  if (!doc) throw httpError(404, `No investigation ${id} in project ${projectId}`)
  return withoutOrg(doc)
}

export async function createInvestigation(stores: InvestigationStores, orgId: string, projectId: string, title: string, by: string, pinned: string[] = []): Promise<Investigation> {
  const now = Date.now()
  const investigation: Investigation = { _id: randomUUID(), projectId, title, status: 'open', pinned: pinned.map((eventId) => ({ eventId, pinnedAt: now, by })), notes: [], createdAt: now, createdBy: by, updatedAt: now }
  await stores.investigations.insert(orgId, investigation)
  return investigation
}

export interface InvestigationChange {
  title?: string
  status?: 'open' | 'closed'
  pin?: string[]
  unpin?: string[]
  note?: string
}

export async function changeInvestigation(stores: InvestigationStores, orgId: string, projectId: string, id: string, change: InvestigationChange, by: string): Promise<Investigation> {
  const doc = await getInvestigation(stores, orgId, projectId, id)
  const now = Date.now()
  const pinned = doc.pinned.filter((p) => !change.unpin?.includes(p.eventId))
  for (const eventId of change.pin ?? []) if (!pinned.some((p) => p.eventId === eventId)) pinned.push({ eventId, pinnedAt: now, by })
  if (pinned.length > maxPins) throw httpError(409, `An investigation holds at most ${maxPins} pinned events`)
  const notes = change.note ? [...doc.notes, { id: randomUUID(), text: change.note, at: now, by }] : doc.notes
  if (notes.length > maxNotes) throw httpError(409, `An investigation holds at most ${maxNotes} notes`)
  const next: Investigation = { ...doc, title: change.title ?? doc.title, status: change.status ?? doc.status, pinned, notes, updatedAt: now }
  await stores.investigations.put(orgId, next)
  return next
}

export async function listInvestigations(stores: InvestigationStores, orgId: string, projectId: string): Promise<Investigation[]> {
  return (await stores.investigations.find(orgId, { projectId }, { sort: { field: 'updatedAt', direction: 'desc' }, limit: 200 })).map(withoutOrg)
}

export async function listSavedSearches(stores: InvestigationStores, orgId: string, projectId: string): Promise<SavedSearch[]> {
  return (await stores.savedSearches.find(orgId, { projectId }, { limit: 200 })).map(withoutOrg)
}

export async function saveSearch(stores: InvestigationStores, orgId: string, projectId: string, search: { name: string; query: string; columns: string[] }, by: string): Promise<SavedSearch> {
  if ((await stores.savedSearches.count(orgId, { projectId })) >= 200) throw httpError(409, 'A project keeps at most 200 saved searches')
  const saved: SavedSearch = { _id: randomUUID(), projectId, ...search, createdAt: Date.now(), createdBy: by }
  await stores.savedSearches.insert(orgId, saved)
  return saved
}

export async function deleteSavedSearch(stores: InvestigationStores, orgId: string, projectId: string, id: string): Promise<void> {
  const removed = await stores.savedSearches.deleteMany(orgId, { _id: id, projectId })
  if (removed === 0) throw httpError(404, `No saved search ${id} in project ${projectId}`)
}
