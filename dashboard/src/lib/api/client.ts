/** Typed calls, one per API operation the screens use. Components call these through state classes. */
import { endpoints } from './endpoints'
import { request, type QueryValue } from './http'
import type {
  ActivityView,
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
  ProjectView,
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

export type StatusChange =
  | { status: 'resolved' | 'resolved_in_next_release' | 'unresolved' }
  | { status: 'ignored'; ignore?: { forMinutes?: number; untilEventCount?: number; untilUserCount?: number } }

const q = (query: object) => query as Record<string, QueryValue>

export const api = {
  auth: {
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
  tags: {
    keys: (projectId: string) => request<{ data: { key: string; count: number }[] }>(endpoints.tagKeys, { params: { projectId } }),
    values: (projectId: string, key: string, prefix: string, signal?: AbortSignal) =>
      request<{ data: { value: string; count: number }[] }>(endpoints.tagValues, { params: { projectId, key }, query: { prefix }, signal }),
  },
  event: (projectId: string, eventId: string, signal?: AbortSignal) => request<FullEvent>(endpoints.event, { params: { projectId, eventId }, signal }),
}
