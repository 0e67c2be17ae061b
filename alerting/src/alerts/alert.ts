/**
 * An alert: a set of labels (its identity) firing from `startsAt` until `endsAt`. An alert whose
 * `endsAt` has passed is resolved; a rule that keeps firing pushes `endsAt` forward, as
 * Prometheus does with Alertmanager.
 */
import { createHash } from 'node:crypto'
import type { IssueEvent } from '@faultline/core/schema'
import type { Labels } from '../matchers'

export interface Alert {
  /** Hash of the labels: the alert's identity. */
  fingerprint: string
  labels: Labels
  annotations: Record<string, string>
  startsAt: number
  endsAt: number
  updatedAt: number
  /** The issue behind an issue alert, for notification content and links. */
  issue?: { projectId: string; issueId: string; snapshot: IssueEvent['issue']; trigger?: IssueEvent['trigger'] }
}

export function fingerprintOf(labels: Labels): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((name) => [name, labels[name]])
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32)
}

export const isResolved = (alert: Pick<Alert, 'endsAt'>, now: number): boolean => alert.endsAt <= now

/**
 * Folds a new observation of an alert into the one known: a firing alert keeps its start; a
 * resolved one that fires again starts anew.
 */
export function mergeAlert(known: Alert | undefined, incoming: Alert, now: number): Alert {
  if (!known || isResolved(known, now)) return incoming
  return { ...incoming, startsAt: Math.min(known.startsAt, incoming.startsAt) }
}
