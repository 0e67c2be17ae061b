/**
 * Issues: groups of error events sharing a fingerprint. An issue owns one or more fingerprints
 * (through the fingerprint mapping), so issues merge without rewriting stored events. Both belong
 * to their project's organization and are reached only through it (`TenantCollection`).
 */
import type { CollectionSpec, MetadataStore } from '../ports/metadata'
import { TenantCollection } from '../tenancy'
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
  orgId: string
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
  orgId: string
  projectId: string
  fingerprint: string
  issueId: string
}

export interface IssueStores {
  issues: TenantCollection<IssueDoc>
  fingerprints: TenantCollection<FingerprintDoc>
  activity: TenantCollection<IssueActivityDoc>
}

export const maxIssueEnvironments = 50
export const maxIssueReleases = 100

/** The collections' declarations, shared with the metadata migrations that backfill them. */
export const issueCollections: Record<'issues' | 'fingerprints', CollectionSpec> = {
  issues: { name: 'issues', indexes: ['orgId', 'projectId', 'status', 'level', 'lastSeen', 'firstSeen', 'eventCount', 'userCount'] },
  fingerprints: { name: 'fingerprints', indexes: ['issueId', 'projectId'] },
}

export async function openIssueStores(metadata: MetadataStore): Promise<IssueStores> {
  return {
    issues: await TenantCollection.open<IssueDoc>(metadata, issueCollections.issues),
    fingerprints: await TenantCollection.open<FingerprintDoc>(metadata, issueCollections.fingerprints),
    activity: await openIssueActivity(metadata),
  }
}

export function fingerprintKey(projectId: string, fingerprint: string): string {
  return `${projectId}:${fingerprint}`
}
