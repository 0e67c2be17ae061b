/** How issues and events look on the wire: camelCase, ISO times, 32-hex event ids. */
import type { IssueDoc } from '@faultline/core/issues'

export interface IssueView {
  id: string
  projectId: string
  title: string
  culprit: string
  type: string
  value: string
  level: string
  platform: string
  status: string
  substatus: string
  firstSeen: string
  lastSeen: string
  count: number
  userCount: number
  environments: string[]
  releases: string[]
  firstRelease: string
  lastRelease: string
  fingerprints: string[]
  groupingStrategy: string
  resolvedInRelease?: string
  ignore?: IssueDoc['ignore']
  mergedInto?: string
  assigneeId?: string
  stats?: [string, number][]
}

export function issueView(doc: IssueDoc): IssueView {
  return {
    id: doc._id,
    projectId: doc.projectId,
    title: doc.title,
    culprit: doc.culprit,
    type: doc.type,
    value: doc.value,
    level: doc.level,
    platform: doc.platform,
    status: doc.status,
    substatus: doc.substatus,
    firstSeen: new Date(doc.firstSeen).toISOString(),
    lastSeen: new Date(doc.lastSeen).toISOString(),
    count: doc.eventCount,
    userCount: doc.userCount,
    environments: doc.environments ?? [],
    releases: doc.releases ?? [],
    firstRelease: doc.firstRelease,
    lastRelease: doc.lastRelease,
    fingerprints: doc.fingerprints,
    groupingStrategy: doc.groupingStrategy,
    ...(doc.resolvedInRelease !== undefined && { resolvedInRelease: doc.resolvedInRelease }),
    ...(doc.ignore !== undefined && { ignore: doc.ignore }),
    ...(doc.mergedInto !== undefined && { mergedInto: doc.mergedInto }),
    ...(doc.assigneeId !== undefined && { assigneeId: doc.assigneeId }),
  }
}

/** ClickHouse prints DateTime64 in ISO form without a zone when `date_time_output_format=iso`. */
export function isoTime(value: string): string {
  return value.endsWith('Z') ? value : `${value.replace(' ', 'T')}Z`
}
