/**
 * Metadata version 4: issue activity, privacy settings (and their history) and erasure records
 * were reached through their project alone; each now gets its project's `orgId`, which every read
 * and write of them names (`TenantCollection`), as version 2 did for issues. Documents of a
 * project that no longer exists keep none and stay out of reach. Idempotent.
 */
import type { MetadataMigration } from '../adapters/metadata'
import { issueActivityCollection } from '../issues'
import { privacySettingsCollections } from '../privacy'
import { stampProjectOrganizations } from './tenant-documents'

export const projectRecordsMigration: MetadataMigration = {
  version: 4,
  name: 'org-on-project-records',
  up: (store) =>
    stampProjectOrganizations(store, [
      issueActivityCollection,
      privacySettingsCollections.settings,
      privacySettingsCollections.history,
      // Declared by @faultline/api (privacy-erasure.ts), which core cannot import.
      { name: 'privacy_erasures', indexes: ['projectId', 'status', 'requestedAt'] },
    ]),
}
