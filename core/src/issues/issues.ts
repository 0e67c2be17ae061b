/**
 * Issues: groups of error events sharing a fingerprint. An issue owns one or more fingerprints
 * (through the fingerprint mapping), so issues merge without rewriting stored events.
 */
import type { Collection, MetadataStore } from '../ports/metadata'
import { openIssueActivity, type IssueActivityDoc } from './issue-activity'

export const IssueStatuses = {
  unresolved: 'unresolved',
  resolved: 'resolved',
  resolvedInNextRelease: 'resolved_in_next_release',
  ignored: 'ignored',
  merged: 'merged',
} as const
export type IssueStatus = (typeof IssueStatuses)[keyof typeof IssueStatuses]

export const IssueSubstatuses = { new: 'new', ongoing: 'ongoing', regressed: 'regressed', escalating: 'escalating' } as const
export type IssueSubstatus = (typeof IssueSubstatuses)[keyof typeof IssueSubstatuses]

/** Conditions under which an ignored issue comes back: whichever is met first. */
export interface IgnoreConditions {
  /** Until this time (ms). */
  untilTime?: number
  /** Until this many more events than when it was ignored. */
  untilEventCount?: number
  /** Until this many more users than when it was ignored. */
  untilUserCount?: number
  /** Counts when ignored, the base for the two conditions above. */
  eventCountAtIgnore?: number
  userCountAtIgnore?: number
}

export interface IssueDoc {
  _id: string
  projectId: string
  fingerprints: string[]
  title: string
  culprit: string
  type: string
  value: string
  level: string
  platform: string
  /** Lower-cased title, type, value and culprit: what the text filter searches. */
  searchText: string
  groupingStrategy: string
  status: IssueStatus
  substatus: IssueSubstatus
  firstSeen: number
  lastSeen: number
  eventCount: number
  userCount: number
  environments: string[]
  releases: string[]
  firstRelease: string
  lastRelease: string
  /** Set with `resolved_in_next_release`: the release that was current when it was resolved. */
  resolvedInRelease?: string
  resolvedAt?: number
  regressedAt?: number
  ignore?: IgnoreConditions
  mergedInto?: string
  /** The user triaging it (a user id in the project's organization). */
  assigneeId?: string
  /** When the issue last turned escalating (its rate jumped against its own baseline). */
  escalatingAt?: number
  /**
   * A lifecycle event the processor owes the bus: set in the same write as the change it
   * announces, cleared once published, so a batch retried after a failed publish still sends it.
   */
  lifecycleOwed?: { type: 'created' | 'regressed' | 'escalating'; at: number; escalation?: { recentPerMinute: number; baselinePerMinute: number; windowMinutes: number } }
}

export interface FingerprintDoc {
  _id: string // `${projectId}:${fingerprint}`
  projectId: string
  fingerprint: string
  issueId: string
}

export interface IssueStores {
  issues: Collection<IssueDoc>
  fingerprints: Collection<FingerprintDoc>
  activity: Collection<IssueActivityDoc>
}

export const maxIssueEnvironments = 50
export const maxIssueReleases = 100

export async function openIssueStores(metadata: MetadataStore): Promise<IssueStores> {
  return {
    issues: await metadata.collection<IssueDoc>({
      name: 'issues',
      indexes: ['projectId', 'status', 'level', 'lastSeen', 'firstSeen', 'eventCount', 'userCount'],
    }),
    fingerprints: await metadata.collection<FingerprintDoc>({ name: 'fingerprints', indexes: ['issueId'] }),
    activity: await openIssueActivity(metadata),
  }
}

export function fingerprintKey(projectId: string, fingerprint: string): string {
  return `${projectId}:${fingerprint}`
}
