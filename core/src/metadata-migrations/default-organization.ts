/**
 * Metadata version 1: tenancy. Data from before organizations existed moves into one "Default"
 * organization: every project and DSN key gets its `orgId`, and every API token (which reached
 * every project before) becomes an organization token of it with the scopes an admin may grant,
 * so existing scripts keep working and can be narrowed or revoked from now on. Idempotent: a run
 * cut short by a crash finishes the job when it runs again.
 */
import type { MetadataStore } from '../ports/metadata'
import { defaultOrganization, openAccountStores, openTokenStore } from '../accounts'
import { openProjectStores } from '../projects'
import type { MetadataMigration } from '../adapters/metadata'

/** What the old all-powerful tokens become: an admin's organization-level scopes (no instance operations). */
export const legacyTokenScopes = [
  'projects:read',
  'issues:read',
  'issues:write',
  'events:read',
  'events:write',
  'intelligence:read',
  'intelligence:write',
  'keys:read',
  'settings:read',
]

export const defaultOrganizationMigration: MetadataMigration = {
  version: 1,
  name: 'default-organization',
  async up(store: MetadataStore) {
    const projects = await openProjectStores(store)
    const tokens = await openTokenStore(store)
    const orphans = { orgId: null }
    const work = (await projects.projects.count(orphans)) + (await projects.keys.count(orphans)) + (await tokens.count(orphans))
    if (work === 0) return
    const org = await defaultOrganization(await openAccountStores(store))
    await projects.projects.updateMany(orphans, { $set: { orgId: org._id } })
    for (const key of await projects.keys.find(orphans)) {
      const project = await projects.projects.get(key.projectId)
      await projects.keys.updateMany({ _id: key._id }, { $set: { orgId: project?.orgId ?? org._id } })
    }
    await tokens.updateMany(orphans, { $set: { orgId: org._id, kind: 'org', scopes: legacyTokenScopes } })
  },
}
