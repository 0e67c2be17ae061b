/**
 * An issue's activity: status changes (by a user, or by new events: regressions and ignored
 * issues coming back), assignments, merges and comments, newest first. Written where the change
 * happens (API routes, the processor's issue updater), read by the issue page.
 */
import { randomUUID } from 'node:crypto'
import type { CollectionSpec, MetadataStore } from '../ports/metadata'
import { TenantCollection } from '../tenancy'

export const ActivityKinds = {
  status: 'status',
  assigned: 'assigned',
  merged: 'merged',
  comment: 'comment',
} as const
export type ActivityKind = (typeof ActivityKinds)[keyof typeof ActivityKinds]

export interface ActivityActor {
  type: 'user' | 'token' | 'system'
  id: string
  name?: string
}

export interface IssueActivityDoc {
  _id: string
  orgId: string
  projectId: string
  issueId: string
  at: number
  kind: ActivityKind
  actor: ActivityActor
  /** status: { status, substatus?, ignore? }; assigned: { assigneeId | null }; merged: { from: ids } or { into }; comment: { text }. */
  data: Record<string, unknown>
  /** Set when a comment is edited. */
  editedAt?: number
}

export const maxCommentLength = 10_000

/** Declared once, shared with the metadata migration that gave the entries their organization. */
export const issueActivityCollection: CollectionSpec = { name: 'issue_activity', indexes: ['projectId', 'issueId', 'at', 'kind'] }

export function openIssueActivity(metadata: MetadataStore): Promise<TenantCollection<IssueActivityDoc>> {
  return TenantCollection.open<IssueActivityDoc>(metadata, issueActivityCollection)
}

export type NewActivity = Omit<IssueActivityDoc, '_id' | 'at' | 'orgId'> & { at?: number }

/** Records entries on issues of the organization's projects. */
export async function recordActivity(activity: TenantCollection<IssueActivityDoc>, orgId: string, entries: NewActivity[]): Promise<IssueActivityDoc[]> {
  const docs = entries.map((entry) => ({ ...entry, orgId, _id: randomUUID(), at: entry.at ?? Date.now() }))
  for (const doc of docs) await activity.insert(orgId, doc)
  return docs
}

export const systemActor: ActivityActor = { type: 'system', id: 'faultline', name: 'Faultline' }
