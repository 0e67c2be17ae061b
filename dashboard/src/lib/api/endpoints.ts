/**
 * Every API operation the dashboard calls, written as in the OpenAPI document (`/api/v1/openapi.json`).
 * `openapi-contract.test.ts` checks each against the document the API serves, so a renamed
 * route or parameter fails a test instead of a screen.
 */
export interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string
  /** Query parameters the dashboard sends; each must be declared in the document. */
  query?: readonly string[]
}

const get = (path: string, query?: readonly string[]): Endpoint => ({ method: 'GET', path, ...(query && { query }) })
const post = (path: string): Endpoint => ({ method: 'POST', path })
const put = (path: string): Endpoint => ({ method: 'PUT', path })
const patch = (path: string): Endpoint => ({ method: 'PATCH', path })
const remove = (path: string): Endpoint => ({ method: 'DELETE', path })

export const endpoints = {
  setupState: get('/setup'),
  setup: post('/setup'),
  acceptInvitation: post('/invitations/accept'),
  ssoProviders: get('/auth/sso-providers'),
  login: post('/auth/login'),
  verifySecondFactor: post('/auth/mfa/verify'),
  session: get('/auth/session'),
  logout: post('/auth/logout'),
  logoutEverywhere: post('/auth/logout-everywhere'),
  changePassword: put('/auth/password'),
  beginMfa: post('/auth/mfa/enroll'),
  activateMfa: post('/auth/mfa/activate'),
  disableMfa: post('/auth/mfa/disable'),
  permissions: get('/me/permissions'),

  changeOrganization: patch('/orgs/{orgId}'),
  members: get('/orgs/{orgId}/members'),
  changeMember: patch('/orgs/{orgId}/members/{userId}'),
  removeMember: remove('/orgs/{orgId}/members/{userId}'),
  teams: get('/orgs/{orgId}/teams'),
  createTeam: post('/orgs/{orgId}/teams'),
  invitations: get('/orgs/{orgId}/invitations'),
  invite: post('/orgs/{orgId}/invitations'),
  withdrawInvitation: remove('/orgs/{orgId}/invitations/{invitationId}'),
  orgTokens: get('/orgs/{orgId}/tokens'),
  createOrgToken: post('/orgs/{orgId}/tokens'),
  revokeOrgToken: remove('/orgs/{orgId}/tokens/{tokenId}'),
  myTokens: get('/me/tokens'),
  createMyToken: post('/me/tokens'),
  revokeMyToken: remove('/me/tokens/{tokenId}'),
  audit: get('/orgs/{orgId}/audit', ['action', 'actorId', 'targetType', 'targetId', 'outcome', 'since', 'until', 'cursor', 'limit']),
  auditExport: get('/orgs/{orgId}/audit/export', ['action', 'actorId', 'targetType', 'targetId', 'outcome', 'since', 'until']),
  keys: get('/projects/{projectId}/keys'),
  createKey: post('/projects/{projectId}/keys'),
  changeKey: patch('/projects/{projectId}/keys/{publicKey}'),
  rotateKey: post('/projects/{projectId}/keys/{publicKey}/rotate'),
  revokeKey: remove('/projects/{projectId}/keys/{publicKey}'),
  organizations: get('/orgs'),
  projects: get('/projects'),
  createProject: post('/orgs/{orgId}/projects'),
  project: get('/projects/{projectId}'),
  changeProject: patch('/projects/{projectId}'),
  privacyPacks: get('/privacy/packs'),
  privacy: get('/projects/{projectId}/privacy'),
  changePrivacy: put('/projects/{projectId}/privacy'),
  privacyHistory: get('/projects/{projectId}/privacy/history', ['limit']),

  issues: get('/projects/{projectId}/issues', ['status', 'level', 'environment', 'release', 'since', 'until', 'query', 'sort', 'cursor', 'limit', 'stats', 'tag', 'assigned']),
  changeIssueStatus: put('/projects/{projectId}/issues'),
  mergeIssues: post('/projects/{projectId}/issues/merge'),
  issue: get('/projects/{projectId}/issues/{issueId}'),
  issueEvents: get('/projects/{projectId}/issues/{issueId}/events', ['cursor', 'limit']),
  event: get('/projects/{projectId}/events/{eventId}'),
  eventNeighbours: get('/projects/{projectId}/issues/{issueId}/events/{eventId}/neighbours'),
  issueActivity: get('/projects/{projectId}/issues/{issueId}/activity', ['limit']),
  addComment: post('/projects/{projectId}/issues/{issueId}/comments'),
  deleteComment: remove('/projects/{projectId}/issues/{issueId}/comments/{commentId}'),
  assignees: get('/projects/{projectId}/assignees'),
  assignIssues: post('/projects/{projectId}/issues/assign'),
  issueRate: get('/projects/{projectId}/issues/{issueId}/rate', ['range']),
  rootCause: get('/projects/{projectId}/issues/{issueId}/root-cause'),
  similarIssues: get('/projects/{projectId}/issues/{issueId}/similar', ['limit', 'minScore']),
  issueClusters: get('/projects/{projectId}/issue-clusters', ['threshold', 'since']),
  patterns: get('/projects/{projectId}/patterns', ['sort', 'stats', 'cursor', 'limit']),
  patternEvents: get('/projects/{projectId}/patterns/{templateId}/events', ['cursor', 'limit']),
  tagKeys: get('/projects/{projectId}/tag-keys', ['since', 'limit']),
  tagValues: get('/projects/{projectId}/tag-keys/{key}/values', ['since', 'prefix', 'limit']),
} as const satisfies Record<string, Endpoint>

export type EndpointName = keyof typeof endpoints
