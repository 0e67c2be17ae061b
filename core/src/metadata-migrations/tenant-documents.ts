/**
 * Metadata version 2: every tenant document carries its organization. Issues, fingerprint
 * mappings, outcome counters, template miners and their journal were reached through their project alone; each
 * now gets its project's `orgId`, which every read and write of them names (`TenantCollection`).
 * Documents of a project that no longer exists keep none and stay out of reach. Idempotent: only
 * documents still without an organization are touched.
 */
import type { CollectionSpec, MetadataStore } from '../ports/metadata'
import type { MetadataMigration } from '../adapters/metadata'
import { issueCollections } from '../issues'
import { outcomesCollection } from '../outcomes'
import { openProjectStores } from '../projects'

/** Collections of documents that name their project but not (before this version) their organization. */
const projectDocuments = [
  issueCollections.issues,
  issueCollections.fingerprints,
  outcomesCollection,
  // Declared by @faultline/intelligence (stored-state.ts), which core cannot import.
  { name: 'template_miners', indexes: [] },
  { name: 'template_journal', indexes: ['projectId', 'at'] },
]

export const tenantDocumentsMigration: MetadataMigration = {
  version: 2,
  name: 'org-on-tenant-documents',
  up: (store: MetadataStore) => stampProjectOrganizations(store, projectDocuments),
}

/** Gives each document of these collections still without an organization its project's one. */
export async function stampProjectOrganizations(store: MetadataStore, specs: CollectionSpec[]): Promise<void> {
  const projects = await (await openProjectStores(store)).projects.find({})
  for (const spec of specs) {
    const docs = await store.collection<{ _id: string; projectId: string; orgId?: string }>(spec)
    for (const project of projects) await docs.updateMany({ projectId: project._id, orgId: null }, { $set: { orgId: project.orgId } })
  }
}
