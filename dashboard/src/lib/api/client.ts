/** Typed calls, one per API operation the screens use. Components call these through state classes. */
import { endpoints } from './endpoints'
import { fillPath, queryString, request, type QueryValue } from './http'
import type {
  ActivityView,
  AuditRecordView,
  InvitationView,
  IssueClusters,
  IssueRate,
  PatternEvents,
  PatternPage,
  RootCause,
  SimilarIssues,
  KeyView,
  OrgMemberView,
  OrgRole,
  TeamView,
  TokenView,
  EventNeighbours,
  EventSummary,
  FullEvent,
  IssueDetail,
  IssueStatus,
  IssueView,
  LoginResult,
  MemberView,
  OrganizationView,
  Page,
  PermissionsView,
  PrivacySettings,
  PrivacySettingsView,
  ProjectPlatform,
  ProjectView,
  RulePackView,
  SessionView,
} from './types'

export interface IssueListQuery {
  status?: IssueStatus | 'all'
  level?: string
  environment?: string
  release?: string
  since?: string
  until?: string
  query?: string
  sort?: 'last_seen' | 'first_seen' | 'events' | 'users'
  cursor?: string
  limit?: number
  stats?: '1h' | '24h' | '14d'
  /** key:value terms on event tags and user fields; all must match. */
  tag?: string[]
  assigned?: string
}

export interface SetupBody {
  token: string
  organization: string
  email: string
  name: string
  password: string
  mfaRequired?: boolean
}

export interface NewToken {
  name: string
  scopes: string[]
  projectIds?: string[]
  expiresInDays?: number
}

export type AuditQuery = Partial<Record<'action' | 'actorId' | 'targetType' | 'targetId' | 'outcome' | 'since' | 'until' | 'cursor', string>> & { limit?: number }

/** Where the audit log's NDJSON export of the same filters downloads from (a plain link: the browser sends the session cookie). */
export function auditExportUrl(orgId: string, query: AuditQuery): string {
  const { cursor: _cursor, limit: _limit, ...filters } = query
  return `/api/v1${fillPath(endpoints.auditExport.path, { orgId })}${queryString(filters)}`
}

export type StatusChange =
  | { status: 'resolved' | 'resolved_in_next_release' | 'unresolved' }
  | { status: 'ignored'; ignore?: { forMinutes?: number; untilEventCount?: number; untilUserCount?: number } }

const q = (query: object) => query as Record<string, QueryValue>

export const api = {
  setup: {
    state: () => request<{ required: boolean }>(endpoints.setupState),
    complete: (body: SetupBody) => request<{ orgId: string; userId: string; csrfToken: string }>(endpoints.setup, { body }),
  },
  acceptInvitation: (body: { token: string; name: string; password: string }) =>
    request<{ userId: string; orgId: string; role: string; secondFactorDue: boolean; csrfToken: string }>(endpoints.acceptInvitation, { body }),
  auth: {
    ssoProviders: () => request<{ data: { slug: string; name: string }[] }>(endpoints.ssoProviders),
    login: (email: string, password: string) => request<LoginResult>(endpoints.login, { body: { email, password } }),
    verifySecondFactor: (factor: { code: string } | { recoveryCode: string }) =>
      request<{ user: LoginResult['user']; csrfToken: string }>(endpoints.verifySecondFactor, { body: factor }),
    session: () => request<SessionView>(endpoints.session),
    logout: () => request<void>(endpoints.logout),
    logoutEverywhere: () => request<void>(endpoints.logoutEverywhere),
  },
  me: {
    permissions: () => request<PermissionsView>(endpoints.permissions),
  },
  orgs: {
    change: (orgId: string, body: { name?: string; mfaRequired?: boolean }) => request<OrganizationView>(endpoints.changeOrganization, { params: { orgId }, body }),
    members: (orgId: string) => request<{ data: OrgMemberView[] }>(endpoints.members, { params: { orgId } }),
    changeMember: (orgId: string, userId: string, body: { role?: OrgRole; teamIds?: string[] }) => request<unknown>(endpoints.changeMember, { params: { orgId, userId }, body }),
    removeMember: (orgId: string, userId: string) => request<void>(endpoints.removeMember, { params: { orgId, userId } }),
    teams: (orgId: string) => request<{ data: TeamView[] }>(endpoints.teams, { params: { orgId } }),
    createTeam: (orgId: string, name: string) => request<TeamView>(endpoints.createTeam, { params: { orgId }, body: { name } }),
    invitations: (orgId: string) => request<{ data: InvitationView[] }>(endpoints.invitations, { params: { orgId } }),
    invite: (orgId: string, body: { email: string; role: OrgRole; teamIds?: string[] }) => request<InvitationView>(endpoints.invite, { params: { orgId }, body }),
    withdrawInvitation: (orgId: string, invitationId: string) => request<void>(endpoints.withdrawInvitation, { params: { orgId, invitationId } }),
    tokens: (orgId: string) => request<{ data: TokenView[] }>(endpoints.orgTokens, { params: { orgId } }),
    createToken: (orgId: string, body: NewToken) => request<TokenView & { token: string }>(endpoints.createOrgToken, { params: { orgId }, body }),
    revokeToken: (orgId: string, tokenId: string) => request<void>(endpoints.revokeOrgToken, { params: { orgId, tokenId } }),
    audit: (orgId: string, query: AuditQuery) => request<Page<AuditRecordView>>(endpoints.audit, { params: { orgId }, query: q(query) }),
    createProject: (orgId: string, body: { name: string; platform?: ProjectPlatform }) => request<ProjectView & { dsn: string }>(endpoints.createProject, { params: { orgId }, body }),
  },
  myTokens: {
    list: () => request<{ data: TokenView[] }>(endpoints.myTokens),
    create: (body: NewToken) => request<TokenView & { token: string }>(endpoints.createMyToken, { body }),
    revoke: (tokenId: string) => request<void>(endpoints.revokeMyToken, { params: { tokenId } }),
  },
  projectSettings: {
    change: (projectId: string, body: { name?: string; platform?: ProjectPlatform }) => request<ProjectView>(endpoints.changeProject, { params: { projectId }, body }),
    keys: (projectId: string) => request<{ data: KeyView[] }>(endpoints.keys, { params: { projectId } }),
    createKey: (projectId: string, label: string) => request<KeyView>(endpoints.createKey, { params: { projectId }, body: { label } }),
    changeKey: (projectId: string, publicKey: string, body: { label?: string; disabled?: boolean; rateLimitPerMinute?: number | null }) =>
      request<KeyView>(endpoints.changeKey, { params: { projectId, publicKey }, body }),
    rotateKey: (projectId: string, publicKey: string, overlapMinutes: number) => request<{ key: KeyView; previous: KeyView }>(endpoints.rotateKey, { params: { projectId, publicKey }, body: { overlapMinutes } }),
    revokeKey: (projectId: string, publicKey: string) => request<void>(endpoints.revokeKey, { params: { projectId, publicKey } }),
  },
  privacy: {
    packs: () => request<{ data: RulePackView[] }>(endpoints.privacyPacks),
    get: (projectId: string) => request<PrivacySettingsView>(endpoints.privacy, { params: { projectId } }),
    change: (projectId: string, expectedVersion: number, settings: PrivacySettings) =>
      request<PrivacySettingsView>(endpoints.changePrivacy, { params: { projectId }, body: { expectedVersion, settings } }),
    history: (projectId: string, limit: number) => request<{ data: PrivacySettingsView[] }>(endpoints.privacyHistory, { params: { projectId }, query: { limit } }),
  },
  account: {
    changePassword: (currentPassword: string, newPassword: string) => request<{ csrfToken: string }>(endpoints.changePassword, { body: { currentPassword, newPassword } }),
    beginMfa: () => request<{ secret: string; otpauthUri: string }>(endpoints.beginMfa),
    activateMfa: (code: string) => request<{ recoveryCodes: string[]; csrfToken: string }>(endpoints.activateMfa, { body: { code } }),
    disableMfa: (code: string) => request<{ csrfToken: string }>(endpoints.disableMfa, { body: { code } }),
  },
  organizations: () => request<{ data: OrganizationView[] }>(endpoints.organizations),
  projects: () => request<{ data: ProjectView[] }>(endpoints.projects),
  issues: {
    list: (projectId: string, query: IssueListQuery, signal?: AbortSignal) => request<Page<IssueView>>(endpoints.issues, { params: { projectId }, query: q(query), signal }),
    get: (projectId: string, issueId: string, signal?: AbortSignal) => request<IssueDetail>(endpoints.issue, { params: { projectId, issueId }, signal }),
    events: (projectId: string, issueId: string, query: { cursor?: string; limit?: number }) =>
      request<Page<EventSummary>>(endpoints.issueEvents, { params: { projectId, issueId }, query: q(query) }),
    changeStatus: (projectId: string, ids: string[], change: StatusChange) =>
      request<{ data: IssueView[] }>(endpoints.changeIssueStatus, { params: { projectId }, body: { ids, ...change } }),
    merge: (projectId: string, ids: string[], into?: string) => request<IssueView>(endpoints.mergeIssues, { params: { projectId }, body: { ids, ...(into && { into }) } }),
    assign: (projectId: string, ids: string[], assigneeId: string | null) => request<{ data: IssueView[] }>(endpoints.assignIssues, { params: { projectId }, body: { ids, assigneeId } }),
    neighbours: (projectId: string, issueId: string, eventId: string) => request<EventNeighbours>(endpoints.eventNeighbours, { params: { projectId, issueId, eventId } }),
    activity: (projectId: string, issueId: string) => request<{ data: ActivityView[] }>(endpoints.issueActivity, { params: { projectId, issueId } }),
    comment: (projectId: string, issueId: string, text: string) => request<ActivityView>(endpoints.addComment, { params: { projectId, issueId }, body: { text } }),
    deleteComment: (projectId: string, issueId: string, commentId: string) => request<void>(endpoints.deleteComment, { params: { projectId, issueId, commentId } }),
  },
  assignees: (projectId: string) => request<{ data: MemberView[] }>(endpoints.assignees, { params: { projectId } }),
  intelligence: {
    rate: (projectId: string, issueId: string, range: '1h' | '24h' | '7d') => request<IssueRate>(endpoints.issueRate, { params: { projectId, issueId }, query: { range } }),
    rootCause: (projectId: string, issueId: string) => request<RootCause>(endpoints.rootCause, { params: { projectId, issueId } }),
    similar: (projectId: string, issueId: string) => request<SimilarIssues>(endpoints.similarIssues, { params: { projectId, issueId }, query: { limit: 5 } }),
    clusters: (projectId: string, threshold: number) => request<IssueClusters>(endpoints.issueClusters, { params: { projectId }, query: { threshold } }),
    patterns: (projectId: string, query: { sort?: 'count' | 'last_seen'; stats?: '1h' | '24h' | '14d'; cursor?: string }) => request<PatternPage>(endpoints.patterns, { params: { projectId }, query: q(query) }),
    patternEvents: (projectId: string, templateId: string, cursor?: string) => request<PatternEvents>(endpoints.patternEvents, { params: { projectId, templateId }, query: { cursor } }),
  },
  tags: {
    keys: (projectId: string) => request<{ data: { key: string; count: number }[] }>(endpoints.tagKeys, { params: { projectId } }),
    values: (projectId: string, key: string, prefix: string, signal?: AbortSignal) =>
      request<{ data: { value: string; count: number }[] }>(endpoints.tagValues, { params: { projectId, key }, query: { prefix }, signal }),
  },
  event: (projectId: string, eventId: string, signal?: AbortSignal) => request<FullEvent>(endpoints.event, { params: { projectId, eventId }, signal }),
}
