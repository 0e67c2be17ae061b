/**
 * What the API answers. Where the API has a TypeScript view type, it is imported (types only,
 * erased from the bundle), so a change on the server breaks the dashboard's type check.
 */
import type { IssueView as ServerIssueView } from '$server/api/services/issue-views'
import type { ProjectPlatform } from '$server/core/projects/projects'
import type { PrivacySettings } from '$server/core/privacy/settings'
import type { packsView, PrivacySettingsView } from '$server/api/services/privacy-settings'
import type { EventSummary, FullEvent as ServerFullEvent, TagSummary } from '$server/api/services/issue-queries'
import type { rootCauseHints } from '$server/api/services/intelligence-root-cause'
import type { IssueSimilarity } from '$server/api/services/intelligence-similar'
import type { issueRate } from '$server/api/services/issue-rate'
import type { listPatternEvents, listPatterns } from '$server/api/services/pattern-queries'
import type { NormalizedBreadcrumb, NormalizedEvent, NormalizedException, NormalizedFrame } from '$server/processor/normalize/types'

export interface UserView {
  id: string
  email: string
  name: string
  instanceAdmin: boolean
  mfaEnabled: boolean
}

export type OrgRole = 'owner' | 'admin' | 'member' | 'viewer' | 'security-analyst'

export interface SessionView {
  kind: 'session' | 'token'
  user: UserView | null
  memberships: { orgId: string; role: OrgRole; teamIds: string[] }[]
  mfaVerified: boolean | null
}

export interface LoginResult {
  user: UserView
  secondFactorDue: boolean
  csrfToken: string
}

export interface PermissionsView {
  orgs: { orgId: string; role: OrgRole | null; permissions: string[] }[]
  projects: { projectId: string; orgId: string; role: OrgRole | null; permissions: string[] }[]
}

export interface OrganizationView {
  id: string
  name: string
  slug: string
  mfaRequired: boolean
}

export interface ProjectView {
  id: string
  orgId: string
  name: string
  slug: string
  teamIds: string[]
  platform: ProjectPlatform | null
  createdAt: string
}

export type { ProjectPlatform, PrivacySettings, PrivacySettingsView }
/** A scrubbing rule pack as written (default, healthcare) and its rules. */
export type RulePackView = ReturnType<typeof packsView>[number]

export type IssueStatus = 'unresolved' | 'resolved' | 'resolved_in_next_release' | 'ignored' | 'merged'

/** An issue as the API lists it; list rows also carry their assignee and anomaly marker. */
export interface IssueView extends Omit<ServerIssueView, 'status'> {
  status: IssueStatus
  assignee?: MemberView | null
  anomaly?: { score: number; minute: string; threshold: number } | null
}

export interface Page<T> {
  data: T[]
  nextCursor: string | null
}

export type { EventSummary, TagSummary }

/** The normalized event the processor stores (processor/src/normalize/types.ts). */
export type EventPayload = Partial<NormalizedEvent> & Record<string, unknown>
export type ExceptionView = NormalizedException
export type Frame = NormalizedFrame & { vars?: Record<string, unknown> }
export type Breadcrumb = NormalizedBreadcrumb

export interface FullEvent extends Omit<ServerFullEvent, 'payload'> {
  payload: EventPayload
}

export interface IssueDetail extends IssueView {
  latestEvent: FullEvent | null
  tags: TagSummary[]
}

export interface EventNeighbours {
  oldest: string | null
  previous: string | null
  next: string | null
  latest: string | null
}

export interface OrgMemberView {
  userId: string
  email: string | null
  name: string | null
  role: OrgRole
  teamIds: string[]
  mfaEnabled: boolean
}

export interface TeamView {
  id: string
  name: string
  slug: string
}

export interface InvitationView {
  id: string
  email: string
  role: OrgRole
  expiresAt: string
  teamIds?: string[]
}

export interface TokenView {
  id: string
  kind: 'personal' | 'org'
  name: string
  prefix: string
  orgId: string | null
  userId: string | null
  scopes: string[]
  projectIds: string[] | null
  createdAt: string | null
  expiresAt: string | null
  lastUsedAt: string | null
  revokedAt: string | null
}

export interface KeyView {
  publicKey: string
  label: string
  disabled: boolean
  rateLimitPerMinute: number | null
  createdAt: string | null
  expiresAt: string | null
  revokedAt: string | null
  dsn: string
}

export interface AuditRecordView {
  seq: number
  at: string
  action: string
  outcome: 'success' | 'failure'
  orgId: string | null
  actor: { type: string; id: string; name?: string }
  target: { type: string; id: string } | null
  ip: string | null
  userAgent: string | null
  detail: Record<string, string | number | boolean | null>
}

export interface MemberView {
  id: string
  email: string
  name: string
}

export interface ActivityView {
  id: string
  at: string
  kind: 'status' | 'assigned' | 'merged' | 'comment'
  actor: { type: 'user' | 'token' | 'system'; id: string; name?: string }
  data: Record<string, unknown>
}

/** Intelligence answers, typed by the server functions that produce them (JSON: dates are strings already). */
export type RootCause = Awaited<ReturnType<typeof rootCauseHints>>
export type SimilarIssues = Awaited<ReturnType<IssueSimilarity['similar']>>
export type IssueClusters = Awaited<ReturnType<IssueSimilarity['clusters']>>
export type IssueRate = Awaited<ReturnType<typeof issueRate>>
export type PatternPage = Awaited<ReturnType<typeof listPatterns>>
export type PatternEvents = Awaited<ReturnType<typeof listPatternEvents>>
