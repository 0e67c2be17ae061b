/**
 * The registry of metadata migrations, applied in version order by `openPlatform` (and so by
 * `faultline migrate`). Add a migration as its own file and one line here, with the next version.
 */
import type { MetadataMigration } from '../adapters/metadata'
import { defaultOrganizationMigration } from './default-organization'
import { tenantDocumentsMigration } from './tenant-documents'
import { projectSlugsPerOrgMigration } from './project-slugs-per-org'
import { projectRecordsMigration } from './project-records'
import { securityRecordsMigration } from './security-records'

export const metadataMigrations: MetadataMigration[] = [defaultOrganizationMigration, tenantDocumentsMigration, projectSlugsPerOrgMigration, projectRecordsMigration, securityRecordsMigration]

export { legacyTokenScopes } from './default-organization'
