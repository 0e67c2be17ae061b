/**
 * Investigations (pinned events and notes under a title) and saved searches, per project, in the
 * metadata store. Every function takes the project first; ids are random and checked to belong to
 * the project, so another project's investigation answers 404.
 */
import { randomUUID } from 'node:crypto'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import type { Collection } from '@faultline/core/ports'

export interface InvestigationDoc {
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

export interface SavedSearchDoc {
  _id: string
  projectId: string
  name: string
  query: string
  columns: string[]
  createdAt: number
  createdBy: string
}

export interface InvestigationStores {
  investigations: Collection<InvestigationDoc>
  savedSearches: Collection<SavedSearchDoc>
}

const opened = new WeakMap<Platform, Promise<InvestigationStores>>()

export function investigationStores(platform: Platform): Promise<InvestigationStores> {
  let stores = opened.get(platform)
  if (!stores) {
    stores = (async () => ({
      investigations: await platform.metadata.collection<InvestigationDoc>({ name: 'security_investigations', indexes: ['projectId', 'updatedAt'] }),
      savedSearches: await platform.metadata.collection<SavedSearchDoc>({ name: 'security_saved_searches', indexes: ['projectId'] }),
    }))()
    opened.set(platform, stores)
  }
  return stores
}

const maxPins = 500
const maxNotes = 500

export async function getInvestigation(stores: InvestigationStores, projectId: string, id: string): Promise<InvestigationDoc> {
  const doc = await stores.investigations.get(id)
  if (!doc || doc.projectId !== projectId) throw httpError(404, `No investigation ${id} in project ${projectId}`)
  return doc
}

export async function createInvestigation(stores: InvestigationStores, projectId: string, title: string, by: string, pinned: string[] = []): Promise<InvestigationDoc> {
  const now = Date.now()
  const doc: InvestigationDoc = { _id: randomUUID(), projectId, title, status: 'open', pinned: pinned.map((eventId) => ({ eventId, pinnedAt: now, by })), notes: [], createdAt: now, createdBy: by, updatedAt: now }
  await stores.investigations.insert(doc)
  return doc
}

export interface InvestigationChange {
  title?: string
  status?: 'open' | 'closed'
  pin?: string[]
  unpin?: string[]
  note?: string
}

export async function changeInvestigation(stores: InvestigationStores, projectId: string, id: string, change: InvestigationChange, by: string): Promise<InvestigationDoc> {
  const doc = await getInvestigation(stores, projectId, id)
  const now = Date.now()
  const pinned = doc.pinned.filter((p) => !change.unpin?.includes(p.eventId))
  for (const eventId of change.pin ?? []) if (!pinned.some((p) => p.eventId === eventId)) pinned.push({ eventId, pinnedAt: now, by })
  if (pinned.length > maxPins) throw httpError(409, `An investigation holds at most ${maxPins} pinned events`)
  const notes = change.note ? [...doc.notes, { id: randomUUID(), text: change.note, at: now, by }] : doc.notes
  if (notes.length > maxNotes) throw httpError(409, `An investigation holds at most ${maxNotes} notes`)
  const next: InvestigationDoc = { ...doc, title: change.title ?? doc.title, status: change.status ?? doc.status, pinned, notes, updatedAt: now }
  await stores.investigations.put(next)
  return next
}

export async function listInvestigations(stores: InvestigationStores, projectId: string): Promise<InvestigationDoc[]> {
  return stores.investigations.find({ projectId }, { sort: { field: 'updatedAt', direction: 'desc' }, limit: 200 })
}

export async function saveSearch(stores: InvestigationStores, projectId: string, search: { name: string; query: string; columns: string[] }, by: string): Promise<SavedSearchDoc> {
  if ((await stores.savedSearches.count({ projectId })) >= 200) throw httpError(409, 'A project keeps at most 200 saved searches')
  const doc: SavedSearchDoc = { _id: randomUUID(), projectId, ...search, createdAt: Date.now(), createdBy: by }
  await stores.savedSearches.insert(doc)
  return doc
}

export async function deleteSavedSearch(stores: InvestigationStores, projectId: string, id: string): Promise<void> {
  const removed = await stores.savedSearches.deleteMany({ _id: id, projectId })
  if (removed === 0) throw httpError(404, `No saved search ${id} in project ${projectId}`)
}
