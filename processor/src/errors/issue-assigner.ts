/**
 * Maps fingerprints to issues, creating the mapping on first sight. The mapping is an upsert keyed
 * by (project, fingerprint) within the project's organization, so replicas racing on a new
 * fingerprint agree on one issue id.
 * Mappings are read fresh for every batch (one read for all of its fingerprints) rather than
 * cached, so merges and deletes made through the API take effect at once on every replica.
 */
import { fingerprintKey, type IssueStores } from '@faultline/core/issues'
import { nextSequence, type ProjectStores } from '@faultline/core/projects'
import { MetadataError } from '@faultline/core/errors'

export class IssueAssigner {
  readonly #issues: IssueStores
  readonly #counters: ProjectStores['counters']

  constructor(issues: IssueStores, counters: ProjectStores['counters']) {
    this.#issues = issues
    this.#counters = counters
  }

  /** Issue id per `fingerprintKey(projectId, fingerprint)` for every pair given. */
  async assign(pairs: { orgId: string; projectId: string; fingerprint: string }[]): Promise<Map<string, string>> {
    const wanted = new Map(pairs.map((p) => [fingerprintKey(p.projectId, p.fingerprint), p]))
    const issueIds = new Map<string, string>()
    for (const orgId of new Set(pairs.map((p) => p.orgId))) {
      const keys = [...wanted].filter(([, p]) => p.orgId === orgId).map(([key]) => key)
      for (const mapping of await this.#issues.fingerprints.getMany(orgId, keys)) issueIds.set(mapping._id, mapping.issueId)
    }
    await Promise.all(
      [...wanted].map(async ([key, { orgId, projectId, fingerprint }]) => {
        if (issueIds.has(key)) return
        const candidate = String(await nextSequence(this.#counters, 'issue'))
        const mapping = await this.#issues.fingerprints.findOneAndUpdate(
          orgId,
          { _id: key },
          { $setOnInsert: { projectId, fingerprint, issueId: candidate } },
          { upsert: true, insertId: key },
        )
        if (!mapping) throw new MetadataError('unavailable', `fingerprint mapping ${key} could not be created`)
        issueIds.set(key, mapping.issueId)
      }),
    )
    return issueIds
  }
}
