/**
 * The OpenAPI 3.1 document of the REST API, with bodies and queries from the same zod schemas the
 * routes validate with, responses from `openapi-schemas.ts`, and each operation's permission
 * (`x-permission`) read from the router, which also decides what is listed: every route the
 * router serves, and nothing else (`openapi.test.ts` holds every route to a written description).
 */
import { z } from 'zod'
import { permissionMatrix, type DeclaredRoute } from './permissions'
import { responses, type ResponseName } from './openapi-schemas'
import { loginBody, mfaCodeBody, passwordChangeBody, secondFactorBody } from './routes/auth'
import { orgTokenBody, personalTokenBody } from './routes/tokens'
import { keyChangeBody, newKeyBody, rotateKeyBody } from './routes/keys'
import { auditExportQuery, auditSearchQuery } from './routes/audit'
import { acceptBody, invitationBody, memberChangeBody, orgChangeBody, teamBody } from './routes/members'
import { setupBody } from './routes/setup'
import { unsubscribeQuery } from './routes/alerting-unsubscribe'
import { icalQuery } from './routes/alerting'
import { elevationBody } from './routes/elevations'
import { ssoSettingsBody } from './services/sso'
import { issueListQuery, mergeBody, statusChangeBody } from './routes/issues'
import { patternEventsQuery, patternListQuery } from './routes/patterns'
import { anomaliesQuery, backtestBody, clustersQuery, forecastQuery, similarQuery } from './routes/intelligence'
import { erasureListQuery, privacyHistoryQuery, privacySettingsBody } from './routes/privacy'
import { dataSubjectSchema } from './services/data-subject'
import { newProjectBody, projectChangeBody } from './routes/projects'
import { activityQuery, assignBody, commentBody } from './routes/issue-activity'
import { issueRateQuery, tagKeysQuery, tagValuesQuery } from './routes/dashboard-search'
import { securityPaths } from './routes/security-openapi'
import { alertingPaths } from './routes/alerting-openapi'

const problem = { $ref: '#/components/schemas/Problem' }
const errors = Object.fromEntries(
  ['400', '401', '403', '404', '409', '413'].map((code) => [code, { description: 'Problem', content: { 'application/problem+json': { schema: problem } } }]),
)
const json = (schema: object, description = 'OK') => ({ description, content: { 'application/json': { schema } } })
const ref = (name: ResponseName) => ({ $ref: `#/components/schemas/${name}` })
const statusNames: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted' }
const ok = (name: ResponseName, status = 200) => ({ [status]: json(ref(name), statusNames[status]), ...errors })
const noContent = { 204: { description: 'Done' }, ...errors }
const html = { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } }
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } })
const jsonBody = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'input' }) } } })
const queryParams = (schema: z.ZodObject) =>
  Object.entries((z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, object> }).properties).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }))

export function openApiDocument(serverUrl: string, routes: DeclaredRoute[]): object {
  const project = pathParam('projectId', 'Project number')
  const issue = pathParam('issueId', 'Issue number')
  const org = pathParam('orgId', 'Organization number')
  return {
    openapi: '3.1.0',
    info: { title: 'Faultline API', version: '1', description: 'Issues, events, outcomes and dead letters. Authenticate with `Authorization: Bearer <token>`.' },
    servers: [{ url: `${serverUrl.replace(/\/$/, '')}/api/v1` }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'fl_session', description: 'Browser session; writes also send the fl_csrf cookie value in x-csrf-token' },
      },
      schemas: Object.fromEntries(Object.entries(responses).map(([name, schema]) => [name, z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' })])),
    },
    paths: withPermissions(routes, {
      '/orgs': { get: { summary: 'Organizations the caller belongs to (a token: its own)', responses: ok('Organizations') } },
      '/projects': { get: { summary: 'Projects the caller can see, across its organizations', responses: ok('Projects') } },
      '/orgs/{orgId}/projects': {
        post: { summary: 'Create a project in the organization, optionally limited to teams; answers its DSN', parameters: [org], requestBody: jsonBody(newProjectBody), responses: ok('CreatedProject', 201) },
      },
      '/projects/{projectId}': {
        get: { summary: 'A project', parameters: [project], responses: ok('Project') },
        patch: { summary: 'Rename a project, set its platform, or change the teams it is limited to', parameters: [project], requestBody: jsonBody(projectChangeBody), responses: ok('Project') },
      },
      '/projects/{projectId}/issues': {
        get: { summary: 'List issues with filters, sorts, cursor pagination and sparkline stats', parameters: [project, ...queryParams(issueListQuery)], responses: ok('IssuePage') },
        put: {
          summary: 'Change the status of issues in bulk',
          parameters: [project],
          requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(statusChangeBody, { io: 'input' }) } } },
          responses: ok('IssueList'),
        },
      },
      '/projects/{projectId}/issues/merge': {
        post: {
          summary: 'Merge issues into one without rewriting events',
          parameters: [project],
          requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(mergeBody, { io: 'input' }) } } },
          responses: ok('Issue'),
        },
      },
      '/projects/{projectId}/issues/{issueId}': {
        get: { summary: 'Issue detail with the latest event and top tag values', parameters: [project, issue], responses: ok('IssueDetail') },
        delete: { summary: 'Delete an issue and its events', parameters: [project, issue], responses: { 204: { description: 'Deleted' }, ...errors } },
      },
      '/projects/{projectId}/issues/{issueId}/events': {
        get: { summary: "An issue's events, newest first", parameters: [project, issue, { name: 'cursor', in: 'query', schema: { type: 'string' } }, { name: 'limit', in: 'query', schema: { type: 'integer' } }], responses: ok('EventPage') },
      },
      '/projects/{projectId}/events/{eventId}': {
        get: { summary: 'One event in full', parameters: [project, pathParam('eventId', '32-hex event id')], responses: ok('Event') },
      },
      '/projects/{projectId}/stats/outcomes': {
        get: { summary: 'Outcome counts per category, outcome and reason', parameters: [project, { name: 'since', in: 'query', schema: { type: 'integer' } }, { name: 'until', in: 'query', schema: { type: 'integer' } }], responses: ok('OutcomeStats') },
      },
      '/projects/{projectId}/patterns': {
        get: { summary: 'Message patterns (mined templates) with counts, first/last seen, the issues they span and a count series', parameters: [project, ...queryParams(patternListQuery)], responses: ok('PatternPage') },
      },
      '/projects/{projectId}/events/{eventId}/pattern': {
        get: { summary: 'The template one event belongs to: its live template (after merges), the template it was stored with, and its values at the variables', parameters: [project, pathParam('eventId', '32-hex event id')], responses: ok('EventPattern') },
      },
      '/projects/{projectId}/patterns/{templateId}/events': {
        get: { summary: "A pattern's events, newest first (a merged template id resolves to its survivor)", parameters: [project, pathParam('templateId', '16-hex template id'), ...queryParams(patternEventsQuery)], responses: ok('PatternEvents') },
      },
      '/projects/{projectId}/anomalies': {
        get: { summary: 'Anomaly scores (0..1) of the project series or an issue series per minute, with the model version and the features behind high scores', parameters: [project, ...queryParams(anomaliesQuery)], responses: ok('Anomalies') },
      },
      '/projects/{projectId}/issues/{issueId}/similar': {
        get: { summary: 'Issues with a similar signature (ONNX embedding of type, template and top frames), with score and shared features', parameters: [project, issue, ...queryParams(similarQuery)], responses: ok('SimilarIssues') },
      },
      '/projects/{projectId}/issue-clusters': {
        get: { summary: 'Pattern clusters: groups of active issues whose embeddings lie within the cosine threshold, with the features all members share', parameters: [project, ...queryParams(clustersQuery)], responses: ok('IssueClusters') },
      },
      '/projects/{projectId}/forecast': {
        get: {
          summary: 'Holt-Winters forecast of a series with a 95 % interval and the predicted time a threshold (events per minute or hour) is crossed',
          parameters: [project, ...queryParams(forecastQuery)],
          responses: { ...ok('Forecast'), 422: { description: 'Not enough history', content: { 'application/problem+json': { schema: problem } } }, ...errors },
        },
      },
      '/projects/{projectId}/backtest': {
        post: {
          summary: 'Score every point of a CSV (timestamp,value; at most 5 MB and 100k points) or a stored series and return the anomaly windows at a sensitivity',
          parameters: [project],
          requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(backtestBody, { io: 'input' }) } } },
          responses: ok('Backtest'),
        },
      },
      '/projects/{projectId}/issues/{issueId}/root-cause': {
        get: { summary: 'Root-cause hints: suspect release, over-represented tag values (with p-values) and co-spiking issues', parameters: [project, issue], responses: ok('RootCause') },
      },
      '/auth/sso-providers': { get: { summary: 'Organizations that offer single sign-on, for the sign-in page (start at /auth/sso/{orgSlug}/start)', responses: ok('SsoProviders') } },
      '/me/permissions': { get: { summary: 'What the caller may do: its role and permissions per organization and per visible project', responses: ok('Permissions') } },
      '/projects/{projectId}/issues/{issueId}/activity': {
        get: { summary: "An issue's activity, newest first: status changes (by users and by new events), assignments, merges, comments", parameters: [project, issue, ...queryParams(activityQuery)], responses: ok('Activities') },
      },
      '/projects/{projectId}/issues/{issueId}/comments': {
        post: { summary: 'Comment on an issue', parameters: [project, issue], requestBody: jsonBody(commentBody), responses: ok('Activity', 201) },
      },
      '/projects/{projectId}/issues/{issueId}/comments/{commentId}': {
        delete: { summary: 'Delete a comment (its author, or an administrator)', parameters: [project, issue, pathParam('commentId', 'Activity id of the comment')], responses: noContent },
      },
      '/projects/{projectId}/issues/{issueId}/events/{eventId}/neighbours': {
        get: { summary: 'The oldest, previous, next and latest event ids of the issue around one of its events', parameters: [project, issue, pathParam('eventId', '32-hex event id')], responses: ok('EventNeighbours') },
      },
      '/projects/{projectId}/assignees': { get: { summary: 'Users who may be assigned issues of the project', parameters: [project], responses: ok('Assignees') } },
      '/projects/{projectId}/issues/assign': {
        post: { summary: 'Assign issues to a user, or unassign them (assigneeId null)', parameters: [project], requestBody: jsonBody(assignBody), responses: ok('IssueList') },
      },
      '/projects/{projectId}/issues/{issueId}/rate': {
        get: { summary: "The issue's events per bucket over a range, each bucket's anomaly score, the threshold and the forecast band ahead (the issue page's chart)", parameters: [project, issue, ...queryParams(issueRateQuery)], responses: ok('IssueRate') },
      },
      '/projects/{projectId}/tag-keys': { get: { summary: 'Tag keys of recent events with their event counts (search suggestions)', parameters: [project, ...queryParams(tagKeysQuery)], responses: ok('TagKeys') } },
      '/projects/{projectId}/tag-keys/{key}/values': {
        get: { summary: 'The most common values of a tag or event field (user.email, release, ...) in recent events, by prefix', parameters: [project, pathParam('key', 'Tag key or event field'), ...queryParams(tagValuesQuery)], responses: ok('TagValues') },
      },
      '/privacy/packs': { get: { summary: 'The scrubbing rule packs (default, healthcare) and their rules as written', responses: ok('PrivacyPacks') } },
      '/projects/{projectId}/privacy': {
        get: { summary: "The project's privacy settings and their version (version 0: the defaults)", parameters: [project], responses: ok('PrivacySettingsVersion') },
        put: {
          summary: 'Replace the privacy settings (packs, custom rules, allowed keys, IP and user.email handling, retention in days) as a new version; applied to new events within seconds',
          parameters: [project],
          requestBody: jsonBody(privacySettingsBody),
          responses: ok('PrivacySettingsVersion'),
        },
      },
      '/projects/{projectId}/privacy/history': {
        get: { summary: 'Every version of the privacy settings, newest first, with who changed them and when', parameters: [project, ...queryParams(privacyHistoryQuery)], responses: ok('PrivacyHistory') },
      },
      '/projects/{projectId}/privacy/erasures': {
        post: {
          summary: "Erase one end user's data (by user id, email or IP address) from events, issues, template samples and dead letters; answers 202 with the erasure to follow",
          parameters: [project],
          requestBody: jsonBody(dataSubjectSchema),
          responses: ok('Erasure', 202),
        },
        get: { summary: "The project's erasures, newest first", parameters: [project, ...queryParams(erasureListQuery)], responses: ok('Erasures') },
      },
      '/projects/{projectId}/privacy/erasures/{erasureId}': {
        get: { summary: 'An erasure with its progress and report', parameters: [project, pathParam('erasureId', '24-hex erasure id')], responses: ok('Erasure') },
      },
      '/projects/{projectId}/privacy/exports': {
        post: {
          summary: 'Everything held about one end user, as NDJSON: their events, the issues they are in, a summary line',
          parameters: [project],
          requestBody: jsonBody(dataSubjectSchema),
          responses: { 200: { description: 'NDJSON', content: { 'application/x-ndjson': { schema: { type: 'string' } } } }, ...errors },
        },
      },
      '/dead-letters/{subject}': { get: { summary: 'Dead letters of a subject', parameters: [pathParam('subject', 'errors, spans, replays or security')], responses: ok('DeadLetterPage') } },
      '/dead-letters/{subject}/{seq}/replay': { post: { summary: 'Publish a dead letter again', parameters: [pathParam('subject', 'Subject'), pathParam('seq', 'Sequence')], responses: ok('DeadLetterReplayed') } },
      '/dead-letters/{subject}/{seq}': { delete: { summary: 'Discard a dead letter', parameters: [pathParam('subject', 'Subject'), pathParam('seq', 'Sequence')], responses: { 204: { description: 'Discarded' }, ...errors } } },
      ...accountPaths(),
      ...securityPaths({ project, errors, json, jsonBody, queryParams, pathParam, ok }),
      ...alertingPaths({ errors, json, jsonBody, queryParams, pathParam, ok }),
    }),
  }
}

type Operation = Record<string, unknown>
type Paths = Record<string, Record<string, Operation>>

/** Keeps the operations the router serves, each with the permission it declares; public ones need no credentials. */
function withPermissions(routes: DeclaredRoute[], written: Paths): Paths {
  const paths: Paths = {}
  for (const route of routes) {
    const path = route.path.replace(/^\/api\/v1/, '').replace(/:(\w+)/g, '{$1}')
    const method = route.method.toLowerCase()
    const operation = written[path]?.[method]
    if (!operation || !route.permission) continue
    const grant = permissionMatrix[route.permission]
    paths[path] ??= {}
    paths[path][method] = {
      ...operation,
      'x-permission': route.permission,
      ...(grant.level === 'public' && { security: [] }),
      description: [operation.description, `Permission: \`${route.permission}\` (${grant.level}${grant.roles.length ? `: ${grant.roles.join(', ')}` : ''}).`].filter(Boolean).join('\n\n'),
    }
  }
  return paths
}

/** Sign-in, setup, organizations, members, tokens, keys, audit, elevation and single sign-on. */
function accountPaths(): Paths {
  const org = pathParam('orgId', 'Organization number')
  const project = pathParam('projectId', 'Project number')
  const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'input' }) } } })
  const publicKey = pathParam('publicKey', '32-hex DSN public key')
  const tokenId = pathParam('tokenId', 'Token id (from a listing)')
  const userId = pathParam('userId', 'User number')
  const elevationId = pathParam('elevationId', 'Elevation request id')
  return {
    '/openapi.json': { get: { summary: 'This document', responses: { 200: json({ type: 'object' }), ...errors } } },
    '/setup': {
      get: { summary: 'Whether the instance still needs its first-run setup', responses: ok('SetupState') },
      post: { summary: 'First-run setup with the one-time token printed at start: first organization, owner (signed in) and security policy', requestBody: body(setupBody), responses: ok('SetupDone', 201) },
    },
    '/orgs/{orgId}/alerting/schedules/{name}/ical-feed': {
      post: { summary: 'A secret iCal feed address for an on-call schedule (answered once); replaces the previous one', parameters: [org, pathParam('name', 'Schedule name')], responses: ok('IcalFeed', 201) },
      delete: { summary: "Turn the schedule's iCal feed off", parameters: [org, pathParam('name', 'Schedule name')], responses: noContent },
    },
    '/orgs/{orgId}/alerting/ical-feeds/{feedToken}': {
      get: {
        summary: 'The on-call schedule as iCalendar, for calendar apps: the secret token in the path is the credential',
        parameters: [org, pathParam('feedToken', 'The feed token from its address'), ...queryParams(icalQuery)],
        responses: { 200: { description: 'iCalendar', content: { 'text/calendar': { schema: { type: 'string' } } } }, ...errors },
      },
    },
    '/alerting/unsubscribe': {
      get: { summary: 'The page an alert mail\'s unsubscribe link opens (one button); with confirm=1, unsubscribes', parameters: queryParams(unsubscribeQuery), responses: { 200: html, ...errors } },
      post: { summary: 'Stop mailing an address about alert rules (one click, RFC 8058); the sealed token comes from the mail', parameters: queryParams(unsubscribeQuery), responses: { 200: html, ...errors } },
    },
    '/auth/login': { post: { summary: 'Sign in with email and password; sets the session cookies (a pending session when a second factor is due)', requestBody: body(loginBody), responses: ok('SignedIn') } },
    '/auth/mfa/verify': { post: { summary: 'Second factor for a pending session: a TOTP code (each step once) or a recovery code (each once)', requestBody: body(secondFactorBody), responses: ok('CsrfToken') } },
    '/auth/session': { get: { summary: 'Who is calling: user, memberships, second factor', responses: ok('Session') } },
    '/auth/logout': { post: { summary: 'End this session', responses: noContent } },
    '/auth/logout-everywhere': { post: { summary: 'End every session of this user', responses: noContent } },
    '/auth/password': { put: { summary: 'Change the password; other sessions end, this one gets a new id', requestBody: body(passwordChangeBody), responses: ok('CsrfToken') } },
    '/auth/mfa/enroll': { post: { summary: 'Start TOTP enrolment: the secret and its otpauth URI', responses: ok('MfaEnrolment') } },
    '/auth/mfa/activate': { post: { summary: 'Confirm TOTP with a first code; answers the recovery codes, shown once', requestBody: body(mfaCodeBody), responses: ok('RecoveryCodes') } },
    '/auth/mfa/disable': { post: { summary: 'Turn TOTP off with a current code', requestBody: body(mfaCodeBody), responses: ok('CsrfToken') } },
    '/auth/sso/{orgSlug}/start': { get: { summary: 'Start OIDC sign-in (authorization code + PKCE): redirects to the provider', parameters: [pathParam('orgSlug', 'Organization slug'), { name: 'returnTo', in: 'query', schema: { type: 'string' } }], responses: { 302: { description: 'To the identity provider' }, ...errors } } },
    '/auth/sso/callback': { get: { summary: "The identity provider's redirect back: signs the user in and redirects to returnTo", responses: { 302: { description: 'Signed in' }, ...errors } } },
    '/invitations/accept': { post: { summary: 'Accept an invitation from its mail: joins the organization (creating the user) and signs in', requestBody: body(acceptBody), responses: ok('Accepted', 201) } },
    '/orgs/{orgId}': { patch: { summary: 'Rename the organization or require MFA of its members', parameters: [org], requestBody: body(orgChangeBody), responses: ok('Organization') } },
    '/orgs/{orgId}/members': { get: { summary: 'Members with role, teams and MFA status', parameters: [org], responses: ok('Members') } },
    '/orgs/{orgId}/members/{userId}': {
      patch: { summary: 'Change a member\'s role or teams (never above your own role; the last owner stays)', parameters: [org, userId], requestBody: body(memberChangeBody), responses: ok('MemberRole') },
      delete: { summary: 'Remove a member', parameters: [org, userId], responses: noContent },
    },
    '/orgs/{orgId}/teams': {
      get: { summary: 'Teams', parameters: [org], responses: ok('Teams') },
      post: { summary: 'Create a team', parameters: [org], requestBody: body(teamBody), responses: ok('Team', 201) },
    },
    '/orgs/{orgId}/invitations': {
      get: { summary: 'Open invitations', parameters: [org], responses: ok('Invitations') },
      post: { summary: 'Invite by email (sent over the configured SMTP server)', parameters: [org], requestBody: body(invitationBody), responses: ok('Invitation', 201) },
    },
    '/orgs/{orgId}/invitations/{invitationId}': { delete: { summary: 'Withdraw an invitation', parameters: [org, pathParam('invitationId', 'Invitation id')], responses: noContent } },
    '/orgs/{orgId}/tokens': {
      get: { summary: 'Organization API tokens (never the tokens themselves)', parameters: [org], responses: ok('Tokens') },
      post: { summary: 'Create an organization token with scopes, optional project restriction and expiry; answered once', parameters: [org], requestBody: body(orgTokenBody), responses: ok('CreatedToken', 201) },
    },
    '/orgs/{orgId}/tokens/{tokenId}': { delete: { summary: 'Revoke an organization token', parameters: [org, tokenId], responses: noContent } },
    '/me/tokens': {
      get: { summary: 'My personal tokens', responses: ok('Tokens') },
      post: { summary: 'Create a personal token (acts as me, never beyond my role); answered once', requestBody: body(personalTokenBody), responses: ok('CreatedToken', 201) },
    },
    '/me/tokens/{tokenId}': { delete: { summary: 'Revoke a personal token', parameters: [tokenId], responses: noContent } },
    '/orgs/{orgId}/audit': { get: { summary: "Search the organization's audit log, newest first", parameters: [org, ...queryParams(auditSearchQuery)], responses: ok('AuditPage') } },
    '/orgs/{orgId}/audit/export': { get: { summary: 'Export the audit log as NDJSON (one AuditRecord per line)', parameters: [org, ...queryParams(auditExportQuery)], responses: { 200: { description: 'NDJSON', content: { 'application/x-ndjson': { schema: ref('AuditRecord') } } }, ...errors } } },
    '/audit/verify': { get: { summary: 'Verify the whole hash chain: the first changed, removed or reordered record', responses: ok('AuditVerify') } },
    '/orgs/{orgId}/elevations': {
      get: { summary: 'Elevation requests', parameters: [org], responses: ok('Elevations') },
      post: { summary: 'Ask for a higher role on one project for a while, with a reason', parameters: [org], requestBody: body(elevationBody), responses: ok('Elevation', 201) },
    },
    '/orgs/{orgId}/elevations/{elevationId}/approve': { post: { summary: 'Approve (not your own); the role applies until it expires', parameters: [org, elevationId], responses: ok('Elevation') } },
    '/orgs/{orgId}/elevations/{elevationId}/deny': { post: { summary: 'Deny', parameters: [org, elevationId], responses: ok('Elevation') } },
    '/orgs/{orgId}/sso': {
      get: { summary: 'Single sign-on settings (never the client secret) and the redirect URI to register', parameters: [org], responses: ok('Sso') },
      put: { summary: 'Set OIDC single sign-on: issuer, client, role claim and mapping, just-in-time users', parameters: [org], requestBody: body(ssoSettingsBody), responses: ok('Sso') },
    },
    '/projects/{projectId}/keys': {
      get: { summary: 'DSN keys of a project', parameters: [project], responses: ok('Keys') },
      post: { summary: 'Create a DSN key, optionally with its own rate limit', parameters: [project], requestBody: body(newKeyBody), responses: ok('Key', 201) },
    },
    '/projects/{projectId}/keys/{publicKey}': {
      patch: { summary: 'Change label, per-key rate limit (null: the default) or disable', parameters: [project, publicKey], requestBody: body(keyChangeBody), responses: ok('Key') },
      delete: { summary: 'Revoke a key at once', parameters: [project, publicKey], responses: noContent },
    },
    '/projects/{projectId}/keys/{publicKey}/rotate': { post: { summary: 'Rotate: a successor key, the old one working until the overlap ends', parameters: [project, publicKey], requestBody: body(rotateKeyBody), responses: ok('RotatedKey', 201) } },
  }
}
