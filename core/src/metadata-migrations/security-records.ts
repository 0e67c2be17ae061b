/**
 * Metadata version 5: detections, project detection rules, security investigations and saved
 * searches were reached through their project alone; each now gets its project's `orgId`, which
 * every read and write of them names (`TenantCollection`), as version 4 did for privacy records.
 * Documents of a project that no longer exists keep none and stay out of reach. Idempotent.
 */
import type { MetadataMigration } from '../adapters/metadata'
import { detectionCollections } from '../detections'
import { stampProjectOrganizations } from './tenant-documents'

export const securityRecordsMigration: MetadataMigration = {
  version: 5,
  name: 'org-on-security-records',
  up: (store) =>
    stampProjectOrganizations(store, [
      detectionCollections.detections,
      detectionCollections.rules,
      // Declared by @faultline/api (security-investigations.ts), which core cannot import.
      { name: 'security_investigations', indexes: ['projectId', 'updatedAt'] },
      { name: 'security_saved_searches', indexes: ['projectId'] },
    ]),
}
