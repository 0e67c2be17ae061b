/**
 * Exact event and user counts of issues, summed over each issue's fingerprints from the
 * per-minute rollups. Processing a batch twice or merging issues needs no counter arithmetic.
 */
import type { EventStore } from '../event-store'
import type { IssueDoc } from './issues'

export type IssueCounts = Map<string, { events: number; users: number }>

/**
 * Parallel arrays of every fingerprint of `issues` and the issue owning it: the arguments of
 * ClickHouse's `transform(fingerprint, fingerprints, issueIds, '')`, which maps rows to issues.
 */
export function fingerprintOwners(issues: Pick<IssueDoc, '_id' | 'fingerprints'>[]): { fingerprints: string[]; issueIds: string[] } {
  const fingerprints: string[] = []
  const issueIds: string[] = []
  for (const issue of issues) {
    for (const fingerprint of issue.fingerprints) {
      fingerprints.push(fingerprint)
      issueIds.push(issue._id)
    }
  }
  return { fingerprints, issueIds }
}

export async function countIssues(eventStore: EventStore, issues: Pick<IssueDoc, '_id' | 'projectId' | 'fingerprints'>[]): Promise<IssueCounts> {
  const counts: IssueCounts = new Map()
  const byProject = new Map<string, typeof issues>()
  for (const issue of issues) byProject.set(issue.projectId, [...(byProject.get(issue.projectId) ?? []), issue])
  for (const [projectId, projectIssues] of byProject) {
    const { fingerprints, issueIds } = fingerprintOwners(projectIssues)
    if (fingerprints.length === 0) continue
    const result = await eventStore.client.query({
      query: `SELECT transform(fingerprint, {fingerprints:Array(String)}, {issues:Array(String)}, '') AS issue,
                sum(events) AS events, uniqMerge(users) AS users
              FROM ${eventStore.database}.fingerprint_minute FINAL
              WHERE project_id = {project:UInt64} AND fingerprint IN {fingerprints:Array(String)}
              GROUP BY issue`,
      query_params: { project: Number(projectId), fingerprints, issues: issueIds },
      format: 'JSONEachRow',
    })
    for (const row of await result.json<{ issue: string; events: number; users: number }>()) {
      counts.set(row.issue, { events: Number(row.events), users: Number(row.users) })
    }
  }
  return counts
}
