/** Builds and publishes issue lifecycle events (`@faultline/core/schema` issue-event) from issue documents. */
import type { Bus } from '../ports/bus'
import { Subjects } from '../ports/bus'
import { encodeIssueEvent, issueEventId, issueSnapshotSchema, type IssueEvent, type IssueEventType, type IssueSnapshot } from '../schema/issue-event'
import type { IssueDoc } from './issues'

/** The fields of the issue a lifecycle event carries (the schema drops the rest). */
export function issueSnapshot(doc: IssueDoc): IssueSnapshot {
  return issueSnapshotSchema.parse({ ...doc, environments: doc.environments ?? [] })
}

export function issueEvent(
  doc: IssueDoc,
  type: IssueEventType,
  at: number,
  source: IssueEvent['source'],
  extra: Pick<IssueEvent, 'trigger' | 'previousStatus' | 'escalation'> = {},
): IssueEvent {
  return { v: 1, id: issueEventId(doc._id, type, at), type, projectId: doc.projectId, issueId: doc._id, at, source, issue: issueSnapshot(doc), ...extra }
}

export async function publishIssueEvents(bus: Bus, events: IssueEvent[]): Promise<void> {
  if (events.length === 0) return
  await bus.publish(
    Subjects.issueEvents,
    events.map((event) => ({ id: event.id, data: encodeIssueEvent(event), headers: { type: event.type, project: event.projectId } })),
  )
}
