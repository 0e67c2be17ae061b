/**
 * Response shapes of the API as zod schemas: the OpenAPI document publishes them (so a typed
 * client can be generated) and `openapi.test.ts` checks live answers against them.
 */
import { z } from 'zod'
import { auditActionNames } from '@faultline/core/audit'
import { orgRoleNames } from '@faultline/core/accounts'
import { ProjectPlatforms } from '@faultline/core/projects'
import { Outcomes } from '@faultline/core/outcomes'
import { AnomalyDrivers, Seasonalities } from '@faultline/intelligence'
import { RulePacks, keyMatchSchema, privacySettingsSchema, ruleActionSchema, valueMatchSchema } from '@faultline/core/privacy'
import { Subjects } from '@faultline/core/ports'
import { severityLevels } from '@faultline/core/security'
import { RuleKinds } from '@faultline/core/detections'
import { ErasureStatuses } from './services/privacy-erasure'
import { securityResponses } from './openapi-security-schemas'
import { alertingResponses } from './openapi-alerting-schemas'

const iso = z.string().describe('ISO 8601 time')
const isoOrNull = iso.nullable()
const role = z.enum(orgRoleNames)
const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) })
const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() })
/** `[bucket start, count]` pairs of a sparkline. */
const stats = z.array(z.tuple([iso, z.number()]))

export const Problem = z.object({ title: z.string(), status: z.number().int(), detail: z.string() }).passthrough()
export const Organization = z.object({ id: z.string(), name: z.string(), slug: z.string(), mfaRequired: z.boolean() })
export const Project = z.object({ id: z.string(), orgId: z.string(), name: z.string(), slug: z.string(), teamIds: z.array(z.string()), platform: z.enum(Object.values(ProjectPlatforms)).nullable(), createdAt: iso })
export const CreatedProject = Project.extend({ dsn: z.string() })
export const User = z.object({ id: z.string(), email: z.string(), name: z.string(), instanceAdmin: z.boolean(), mfaEnabled: z.boolean() })
export const Session = z.object({
  kind: z.enum(['token', 'session']),
  user: User.nullable(),
  memberships: z.array(z.object({ orgId: z.string(), role, teamIds: z.array(z.string()) })),
  mfaVerified: z.boolean().nullable(),
})
export const SignedIn = z.object({ user: User, secondFactorDue: z.boolean(), csrfToken: z.string() })
export const CsrfToken = z.object({ csrfToken: z.string() })
export const Token = z.object({
  id: z.string(),
  kind: z.enum(['personal', 'org']),
  name: z.string(),
  prefix: z.string(),
  orgId: z.string().nullable(),
  userId: z.string().nullable(),
  scopes: z.array(z.string()),
  projectIds: z.array(z.string()).nullable(),
  createdAt: isoOrNull,
  expiresAt: isoOrNull,
  lastUsedAt: isoOrNull,
  revokedAt: isoOrNull,
})
export const CreatedToken = Token.extend({ token: z.string().describe('The token itself, shown this once') })
export const Key = z.object({
  publicKey: z.string(),
  label: z.string(),
  disabled: z.boolean(),
  rateLimitPerMinute: z.number().int().nullable(),
  createdAt: isoOrNull,
  expiresAt: isoOrNull,
  revokedAt: isoOrNull,
  dsn: z.string(),
})
export const Member = z.object({ userId: z.string(), email: z.string().nullable(), name: z.string().nullable(), role, teamIds: z.array(z.string()), mfaEnabled: z.boolean() })
export const Team = z.object({ id: z.string(), name: z.string(), slug: z.string() })
export const Invitation = z.object({ id: z.string(), email: z.string(), role, expiresAt: iso, teamIds: z.array(z.string()).optional() })
export const Elevation = z.object({
  id: z.string(),
  projectId: z.string(),
  userId: z.string(),
  role,
  reason: z.string(),
  minutes: z.number().int(),
  state: z.enum(['pending', 'approved', 'denied']),
  requestedAt: isoOrNull,
  decidedBy: z.string().nullable(),
  expiresAt: isoOrNull,
})
export const AuditRecord = z.object({
  seq: z.number().int(),
  at: iso,
  action: z.enum(auditActionNames),
  outcome: z.enum(['success', 'failure']),
  orgId: z.string().nullable(),
  actor: z.object({ type: z.enum(['user', 'token', 'system', 'anonymous']), id: z.string(), name: z.string().optional() }),
  target: z.object({ type: z.string(), id: z.string() }).nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  hash: z.string(),
  prevHash: z.string(),
})
export const AuditVerify = z.union([
  z.object({ ok: z.literal(true), records: z.number().int(), head: z.object({ seq: z.number().int(), hash: z.string() }).nullable() }),
  z.object({ ok: z.literal(false), records: z.number().int(), brokenAt: z.number().int(), problem: z.enum(['changed', 'missing', 'reordered']) }),
])
export const Issue = z
  .object({
    id: z.string(),
    projectId: z.string(),
    title: z.string(),
    culprit: z.string(),
    type: z.string(),
    value: z.string(),
    level: z.string(),
    platform: z.string(),
    status: z.string(),
    substatus: z.string(),
    firstSeen: iso,
    lastSeen: iso,
    count: z.number().int(),
    userCount: z.number().int(),
    environments: z.array(z.string()),
    releases: z.array(z.string()),
    firstRelease: z.string(),
    lastRelease: z.string(),
    fingerprints: z.array(z.string()),
    groupingStrategy: z.string(),
    resolvedInRelease: z.string().optional(),
    mergedInto: z.string().optional(),
    stats: stats.optional(),
  })
  .passthrough()

export const EventSummary = z.object({
  eventId: z.string().describe('32-hex event id'),
  issueId: z.string(),
  timestamp: iso,
  title: z.string(),
  message: z.string(),
  level: z.string(),
  environment: z.string(),
  release: z.string(),
  userKey: z.string(),
  tags: z.record(z.string(), z.string()),
})
export const Event = EventSummary.extend({
  fingerprint: z.string(),
  groupingStrategy: z.string(),
  payload: z.record(z.string(), z.unknown()).describe('The normalized event: exceptions with frames, breadcrumbs, contexts, request, user, sdk'),
})
export const IssueDetail = Issue.extend({
  latestEvent: Event.nullable(),
  tags: z.array(z.object({ key: z.string(), totalCount: z.number().int(), topValues: z.array(z.object({ value: z.string(), count: z.number().int() })) })),
})
const outcomeKey = { category: z.string(), outcome: z.enum(Object.values(Outcomes)), reason: z.string(), quantity: z.number().int() }
export const OutcomeStats = z.object({ totals: z.array(z.object(outcomeKey)), series: z.array(z.object({ hour: iso, ...outcomeKey })) })
export const Pattern = z.object({
  id: z.string().describe('16-hex template id'),
  template: z.string(),
  count: z.number().int(),
  firstSeen: iso,
  lastSeen: iso,
  issues: z.array(z.object({ id: z.string(), title: z.string(), status: z.string() })),
  stats,
})
const seriesKind = z.enum(['project', 'issue'])
const driver = z.enum(Object.values(AnomalyDrivers))
const seasonality = z.enum(Object.values(Seasonalities))
const series = { series: seriesKind, seriesId: z.string() }
const probability = z.number().min(0).max(1)
export const Anomalies = z.object({
  ...series,
  since: iso,
  until: iso,
  threshold: z.number(),
  detectorVersion: z.string(),
  points: z.array(
    z.object({
      minute: iso,
      value: z.number(),
      score: z.number(),
      anomalous: z.boolean(),
      modelVersion: z.string(),
      drivers: z.array(z.object({ driver, distance: z.number(), p: probability, seasonality })).describe('What drove a score at or above the threshold; empty below it'),
    }),
  ),
})
/** Signature features two issues share, e.g. `libFrame:pg/lib/client:connect`. */
const sharedFeatures = z.array(z.string())
export const SimilarIssues = z.object({
  issueId: z.string(),
  modelVersion: z.string(),
  compared: z.number().int(),
  similar: z.array(z.object({ issueId: z.string(), title: z.string(), culprit: z.string(), score: z.number(), shared: sharedFeatures })),
})
export const IssueClusters = z.object({
  modelVersion: z.string(),
  threshold: z.number(),
  issues: z.number().int(),
  clusters: z.array(z.object({ issueIds: z.array(z.string()), titles: z.array(z.string()), minScore: z.number(), shared: sharedFeatures })),
})
export const Forecast = z.object({
  ...series,
  resolution: z.enum(['minute', 'hour']),
  bucketSeconds: z.number().int(),
  history: z.object({ from: iso, to: iso, points: z.number().int(), last: z.number() }),
  params: z.object({ alpha: z.number(), beta: z.number(), gamma: z.number(), seasonal: z.boolean() }),
  residualStd: z.number(),
  points: z.array(z.object({ time: iso, value: z.number(), lower: z.number(), upper: z.number() })),
  threshold: z.object({ value: z.number(), expectedAt: isoOrNull, earliestAt: isoOrNull }).optional().describe('With a threshold asked for: when the forecast (and its upper bound) crosses it'),
})
export const Backtest = z.object({
  source: z.union([z.object({ kind: z.literal('csv'), points: z.number().int() }), z.object({ kind: seriesKind, seriesId: z.string(), since: iso, until: iso })]),
  sensitivity: z.union([z.enum(['low', 'medium', 'high']), probability]),
  points: z.array(z.object({ t: z.number().describe('Epoch milliseconds'), v: z.number(), score: z.number(), p: probability, driver })),
  windows: z.array(z.object({ start: z.number(), end: z.number(), peak: z.number(), peakScore: z.number() })),
  threshold: z.number(),
  seasonality,
  detectorVersion: z.string(),
})
const test = { z: z.number(), pValue: probability }
export const RootCause = z.object({
  issueId: z.string(),
  window: z.object({ since: iso, until: iso }),
  suspectRelease: z.object({ release: z.string(), reason: z.enum(['first_seen', 'rate_jump']), rate: z.number(), previousRate: z.number(), ...test, firstSeen: iso }).nullable(),
  releases: z.array(z.object({ release: z.string(), firstSeen: iso, issueEvents: z.number().int(), projectEvents: z.number().int() })),
  tags: z.object({
    issueEvents: z.number().int(),
    baselineEvents: z.number().int(),
    test: z.string(),
    hints: z.array(
      z.object({ key: z.string(), value: z.string(), issueCount: z.number().int(), issueShare: z.number(), baselineShare: z.number(), lift: z.number().nullable().describe('null: the value never occurs outside the issue'), ...test, adjustedPValue: z.number() }),
    ),
  }),
  spike: z.object({ startedAt: iso, events: z.number() }).nullable(),
  coSpikes: z.array(z.object({ issueId: z.string(), title: z.string().optional(), lagMinutes: z.number(), correlation: z.number() })),
})
export const DeadLetter = z.object({
  seq: z.number().int(),
  subject: z.enum(Object.values(Subjects)),
  group: z.string().describe('The consumer group that failed it'),
  id: z.string(),
  error: z.string(),
  deliveryCount: z.number().int(),
  failedAt: iso,
  size: z.number().int(),
  payload: z.string().describe('The (scrubbed) message, its first 64 KiB as text'),
})
export const PrivacyPack = z.object({
  name: z.enum(Object.keys(RulePacks) as [keyof typeof RulePacks]),
  rules: z.array(z.object({ id: z.string(), description: z.string(), matches: z.union([z.object({ keys: keyMatchSchema }), z.object({ value: valueMatchSchema })]), action: ruleActionSchema })),
})
export const PrivacySettingsVersion = z.object({ version: z.number().int(), settings: privacySettingsSchema, updatedAt: isoOrNull, updatedBy: z.string().nullable() })
export const Erasure = z.object({
  id: z.string(),
  projectId: z.string(),
  status: z.enum(Object.values(ErasureStatuses)),
  requestedBy: z.string(),
  requestedAt: iso,
  finishedAt: isoOrNull,
  subject: z.object({ userId: z.string(), email: z.string(), ipAddress: z.string() }).partial().describe('Keyed hashes of the identifiers, never the identifiers'),
  report: z.object({
    eventsFound: z.number().int(),
    eventsRemaining: z.number().int(),
    issuesDeleted: z.number().int(),
    issuesUpdated: z.number().int(),
    templatesRedacted: z.number().int(),
    deadLettersDiscarded: z.number().int(),
    partsToDo: z.number().int(),
  }),
  error: z.string().nullable(),
})
const epochMs = z.number().int().describe('Epoch milliseconds')
export const Investigation = z.object({
  _id: z.string(),
  projectId: z.string(),
  title: z.string(),
  status: z.enum(['open', 'closed']),
  pinned: z.array(z.object({ eventId: z.string(), pinnedAt: epochMs, by: z.string() })),
  notes: z.array(z.object({ id: z.string(), text: z.string(), at: epochMs, by: z.string() })),
  createdAt: epochMs,
  createdBy: z.string(),
  updatedAt: epochMs,
})
export const SavedSearch = z.object({ _id: z.string(), projectId: z.string(), name: z.string(), query: z.string(), columns: z.array(z.string()), createdAt: epochMs, createdBy: z.string() })
export const SecurityRule = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  kind: z.enum(Object.values(RuleKinds)),
  severity: z.enum(severityLevels),
  enabled: z.boolean(),
  version: z.string().describe('12 hex digits of the SHA-256 of its source'),
  builtIn: z.boolean().describe('The built-in pack rule as shipped'),
  source: z.string().describe('The rule as YAML'),
})
export const Detection = z.object({
  id: z.string(),
  projectId: z.string(),
  ruleId: z.string(),
  ruleVersion: z.string(),
  ruleName: z.string(),
  kind: z.enum([RuleKinds.threshold, RuleKinds.sequence]),
  severity: z.enum(severityLevels),
  group: z.record(z.string(), z.string()).describe('Field name → value; empty for a rule without group_by'),
  groupKey: z.string(),
  anchorAt: epochMs,
  anchorEventId: z.string(),
  firstAt: epochMs,
  lastAt: epochMs,
  count: z.number().int(),
  distinct: z.number().int().optional().describe('Distinct values of the cardinality field, when the rule has one'),
  eventIds: z.array(z.string()).describe('Up to 100 of the events that make it up, oldest first'),
  summary: z.string(),
  detectedAt: epochMs,
  suppressedBy: z.string().optional().describe('The suppression rule that held it back'),
  signalled: z.boolean(),
})
export const SecurityBacktest = z.object({
  rule: z.string(),
  eventsScanned: z.number().int(),
  truncated: z.boolean().describe('The range held more events than a backtest reads'),
  detections: z.number().int(),
  first: z.array(Detection.omit({ projectId: true, detectedAt: true, suppressedBy: true, signalled: true })).describe('The first 100 detections (nothing is stored)'),
})
export const Silence = z.object({
  _id: z.string(),
  orgId: z.string(),
  matchers: z.array(z.string()).describe('Matchers in their text form, e.g. issue="42"'),
  startsAt: epochMs,
  endsAt: epochMs,
  createdBy: z.string(),
  comment: z.string(),
  createdAt: epochMs,
})
export const EventPattern = z.object({
  eventId: z.string(),
  templateId: z.string(),
  template: z.string(),
  storedTemplateId: z.string(),
  storedTemplate: z.string(),
  variables: z.array(z.string()),
})

export const Assignee = z.object({ id: z.string(), email: z.string(), name: z.string() })
const grant = { role: role.nullable(), permissions: z.array(z.string()) }
export const Permissions = z.object({
  orgs: z.array(z.object({ orgId: z.string(), ...grant })),
  projects: z.array(z.object({ projectId: z.string(), orgId: z.string(), ...grant })),
})
export const Activity = z.object({
  id: z.string(),
  at: iso,
  kind: z.enum(['status', 'assigned', 'merged', 'comment']),
  actor: z.object({ type: z.enum(['user', 'token', 'system']), id: z.string(), name: z.string().optional() }),
  data: z.record(z.string(), z.unknown()),
  editedAt: iso.optional(),
})
export const EventNeighbours = z.object({ oldest: z.string().nullable(), previous: z.string().nullable(), next: z.string().nullable(), latest: z.string().nullable() })

export const responses = {
  Problem,
  Organization,
  Organizations: list(Organization),
  Project,
  Projects: list(Project),
  CreatedProject,
  Session,
  SignedIn,
  CsrfToken,
  Token,
  Tokens: list(Token),
  CreatedToken,
  Key,
  Keys: list(Key),
  RotatedKey: z.object({ key: Key, previous: Key }),
  Member,
  Members: list(Member),
  Team,
  Teams: list(Team),
  Invitation,
  Invitations: list(Invitation),
  Elevation,
  Elevations: list(Elevation),
  AuditRecord,
  AuditPage: page(AuditRecord),
  AuditVerify,
  Issue,
  IssuePage: page(Issue),
  IssueList: list(Issue),
  EventPage: page(EventSummary),
  IssueDetail,
  Event,
  OutcomeStats,
  PatternPage: page(Pattern),
  PatternEvents: page(EventSummary.extend({ templateId: z.string(), template: z.string() })).extend({ templateId: z.string(), template: z.string() }),
  EventPattern,
  Anomalies,
  SimilarIssues,
  IssueClusters,
  Forecast,
  Backtest,
  RootCause,
  DeadLetterPage: z.object({ data: z.array(DeadLetter), nextAfter: z.number().int().nullable() }),
  DeadLetterReplayed: z.object({ replayed: z.number().int() }),
  PrivacyPacks: list(PrivacyPack),
  PrivacySettingsVersion,
  PrivacyHistory: list(PrivacySettingsVersion),
  Erasure,
  Erasures: list(Erasure),
  Investigation,
  Investigations: list(Investigation),
  SavedSearch,
  SavedSearches: list(SavedSearch),
  SecurityRule,
  SecurityRules: list(SecurityRule),
  Detections: list(Detection),
  SecurityBacktest,
  ...securityResponses,
  Silence,
  Silences: list(Silence),
  AlertingSecretNames: z.object({ names: z.array(z.string()).describe('Sorted; never the values') }),
  SecurityRuleSwitch: z.object({ id: z.string(), enabled: z.boolean() }),
  SetupState: z.object({ required: z.boolean() }),
  SetupDone: z.object({ orgId: z.string(), userId: z.string(), csrfToken: z.string() }),
  Accepted: z.object({ userId: z.string(), orgId: z.string(), role, secondFactorDue: z.boolean(), csrfToken: z.string() }),
  MfaEnrolment: z.object({ secret: z.string(), otpauthUri: z.string() }),
  RecoveryCodes: z.object({ recoveryCodes: z.array(z.string()), csrfToken: z.string() }),
  Sso: z.object({ settings: z.record(z.string(), z.unknown()).nullable(), redirectUri: z.string() }),
  MemberRole: z.object({ userId: z.string(), role, teamIds: z.array(z.string()) }),
  Permissions,
  Activity,
  Activities: list(Activity),
  Assignees: list(Assignee),
  EventNeighbours,
  SsoProviders: list(z.object({ slug: z.string(), name: z.string() })),
  IssueRate: z.object({
    issueId: z.string(),
    bucketSeconds: z.number().int(),
    threshold: z.number(),
    points: z.array(z.object({ time: iso, events: z.number(), score: z.number().nullable(), anomalous: z.boolean() })),
    forecast: z.array(z.object({ time: iso, value: z.number(), lower: z.number(), upper: z.number() })).nullable(),
  }),
  TagKeys: list(z.object({ key: z.string(), count: z.number().int() })),
  TagValues: list(z.object({ value: z.string(), count: z.number().int() })),
  IcalFeed: z.object({ schedule: z.string(), url: z.string() }),
  ...alertingResponses,
} as const
export type ResponseName = keyof typeof responses
