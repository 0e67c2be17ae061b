/**
 * The alerting API's answers, as the dashboard reads them: the server's own types (type-only
 * imports, erased from the bundle), without the organization id the API never needs back.
 */
import type { AlertGroupDoc, ConfigDiff, ConfigProblem, IncidentDoc, Preview, SilenceDoc, TimelineEntry as TimelineDoc } from '@faultline/alerting'

export const alertGroupStates = ['triggered', 'acknowledged', 'silenced', 'resolved'] as const satisfies readonly AlertGroupDoc['state'][]
export type AlertGroupStateName = AlertGroupDoc['state']
export const incidentStatuses = ['investigating', 'identified', 'monitoring', 'resolved'] as const satisfies readonly IncidentDoc['status'][]
export type IncidentStatusName = IncidentDoc['status']
export const incidentSeverities = ['critical', 'major', 'minor'] as const satisfies readonly IncidentDoc['severity'][]
export type IncidentSeverityName = IncidentDoc['severity']

export type AlertGroup = Omit<AlertGroupDoc, 'orgId' | 'escalation'>
export type Incident = Omit<IncidentDoc, 'orgId'>
export type TimelineEntry = Omit<TimelineDoc, 'orgId' | 'incidentId'>
export type IncidentDetail = Incident & { timeline: TimelineEntry[] }
export type Silence = Omit<SilenceDoc, 'orgId'>
export type RulePreview = Preview
export type { ConfigDiff, ConfigProblem }

export interface RouteMatch {
  id: string
  receiver: string
  groupBy: string[] | 'all'
}

export interface OnCall {
  schedule: string
  at: string
  user: string | null
}
