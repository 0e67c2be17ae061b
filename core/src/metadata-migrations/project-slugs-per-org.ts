/**
 * Metadata version 3: project slugs are unique per organization, not across the instance. The
 * projects collection now declares (orgId, slug) unique; this drops the old instance-wide unique
 * slug, which declarations alone never remove.
 */
import type { MetadataStore } from '../ports/metadata'
import type { MetadataMigration } from '../adapters/metadata'
import { openProjectStores, projectsCollection } from '../projects'

export const projectSlugsPerOrgMigration: MetadataMigration = {
  version: 3,
  name: 'project-slugs-per-org',
  async up(store: MetadataStore) {
    // Declared first, so no moment passes with neither constraint in place.
    await openProjectStores(store)
    await store.dropUnique(projectsCollection.name, ['slug'])
  },
}
