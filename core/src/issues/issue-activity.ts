/**
 * An issue's activity: status changes (by a user, or by new events: regressions and ignored
 * issues coming back), assignments, merges and comments, newest first. Written where the change
 * happens (API routes, the processor's issue updater), read by the issue page.
 */
import { randomUUID } from 'node:crypto'
import type { Collection, MetadataStore } from '../ports/metadata'

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

export function openIssueActivity(metadata: MetadataStore): Promise<Collection<IssueActivityDoc>> {
  return metadata.collection<IssueActivityDoc>({ name: 'issue_activity', indexes: ['projectId', 'issueId', 'at', 'kind'] })
}

export type NewActivity = Omit<IssueActivityDoc, '_id' | 'at'> & { at?: number }

export async function recordActivity(activity: Collection<IssueActivityDoc>, entries: NewActivity[]): Promise<IssueActivityDoc[]> {
  const docs = entries.map((entry) => ({ ...entry, _id: randomUUID(), at: entry.at ?? Date.now() }))
  for (const doc of docs) await activity.insert(doc)
  return docs
}

export const systemActor: ActivityActor = { type: 'system', id: 'faultline', name: 'Faultline' }
