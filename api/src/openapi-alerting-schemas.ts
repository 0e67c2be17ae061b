/**
 * Response shapes of the alerting routes (configuration as code, alert groups, rule preview,
 * on-call, route test, incidents), published beside the others of `openapi-schemas.ts` and checked
 * against live answers by `openapi-alerting.test.ts`. Times are epoch milliseconds unless named ISO.
 */
import { z } from 'zod'
import { AlertGroupStates, IncidentSeverities, IncidentStatuses, TimelineKinds } from '@faultline/alerting'

const epochMs = z.number().int().describe('Epoch milliseconds')
const iso = z.string().describe('ISO 8601 time')
const names = z.object({ added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.string()) })

export const ConfigDiff = z.object({
  changed: z.boolean(),
  receivers: names,
  rules: names,
  time_intervals: names,
  route: z.boolean(),
  inhibit_rules: z.boolean(),
  silences: z.boolean(),
  global: z.boolean(),
})

export const AlertGroup = z.object({
  _id: z.string(),
  orgId: z.string(),
  groupKey: z.string(),
  receiver: z.string(),
  labels: z.record(z.string(), z.string()),
  state: z.enum(Object.values(AlertGroupStates)),
  title: z.string(),
  firing: z.array(z.string()).describe('Fingerprints of the firing alerts'),
  issues: z.array(z.object({ projectId: z.string(), issueId: z.string() })),
  firstFiredAt: epochMs,
  updatedAt: epochMs,
  actedAt: epochMs.optional(),
  acknowledgedAt: epochMs.optional(),
  acknowledgedBy: z.string().optional(),
  resolvedAt: epochMs.optional(),
  escalation: z.object({ policy: z.string(), round: z.number().int(), step: z.number().int(), nextAt: epochMs, done: z.boolean().optional(), remindAt: epochMs.optional() }).optional(),
  incidentIds: z.array(z.string()).optional(),
})

export const Incident = z.object({
  _id: z.string(),
  orgId: z.string(),
  title: z.string(),
  severity: z.enum(IncidentSeverities),
  status: z.enum(Object.values(IncidentStatuses)),
  commander: z.string().optional(),
  responders: z.array(z.string()),
  groupIds: z.array(z.string()),
  issues: z.array(z.string()).describe('Linked issues as projectId:issueId'),
  createdBy: z.string(),
  declaredAt: epochMs,
  acknowledgedAt: epochMs.optional(),
  resolvedAt: epochMs.optional(),
  updatedAt: epochMs,
})

export const TimelineEntry = z.object({
  _id: z.string(),
  orgId: z.string(),
  incidentId: z.string(),
  at: epochMs,
  kind: z.enum(Object.values(TimelineKinds)),
  text: z.string(),
  by: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
})

export const alertingResponses = {
  AlertingConfig: z.object({ revision: z.number().int().describe('0 before any configuration is applied'), yaml: z.string() }),
  AlertingConfigPreview: z.object({ valid: z.literal(true), diff: ConfigDiff }),
  AlertingConfigApplied: z.object({ revision: z.number().int(), diff: ConfigDiff }),
  AlertingConfigProblems: z
    .object({
      title: z.string(),
      status: z.literal(422),
      detail: z.string(),
      problems: z.array(z.object({ line: z.number().int(), column: z.number().int(), path: z.string().describe('Dotted path into the document'), message: z.string() })),
    })
    .passthrough(),
  AlertGroup,
  AlertGroups: z.object({ data: z.array(AlertGroup) }),
  RulePreview: z.object({
    rule: z.string(),
    from: iso,
    to: iso,
    fired: z.number().int().describe('Episodes of firing over the period'),
    episodes: z.array(z.object({ start: iso, end: iso.nullable().describe('null while still firing at the end'), issueId: z.string().optional(), title: z.string().optional(), value: z.number().optional() })),
  }),
  OnCall: z.object({ schedule: z.string(), at: iso, user: z.string().nullable().describe('null when no one is on call') }),
  RouteTest: z.object({ routes: z.array(z.object({ id: z.string(), receiver: z.string(), groupBy: z.union([z.array(z.string()), z.literal('all')]) })) }),
  JsonSchema: z.object({ $schema: z.string() }).passthrough().describe('A JSON Schema document'),
  Incident,
  Incidents: z.object({ data: z.array(Incident) }),
  IncidentDetail: Incident.extend({ timeline: z.array(TimelineEntry) }),
  IncidentSummary: z.object({
    incident: Incident,
    timeToAcknowledgeMs: z.number().nullable(),
    timeToResolveMs: z.number().nullable(),
    alertsRecorded: z.number().int(),
    timeline: z.array(TimelineEntry),
  }),
  TimelineEntry,
} as const
