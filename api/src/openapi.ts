/** The OpenAPI 3.1 document of the REST API, with bodies and queries from the same zod schemas the routes validate with. */
import { z } from 'zod'
import { issueListQuery, mergeBody, statusChangeBody } from './routes/issues'
import { patternEventsQuery, patternListQuery } from './routes/patterns'
import { anomaliesQuery, backtestBody, clustersQuery, forecastQuery, similarQuery } from './routes/intelligence'
import { newProjectBody, projectChangeBody } from './routes/projects'
import { loginBody, mfaCodeBody, passwordChangeBody, secondFactorBody } from './routes/auth'
import { activityQuery, assignBody, commentBody } from './routes/issue-activity'
import { tagKeysQuery, tagValuesQuery } from './routes/dashboard-search'

const problem = { $ref: '#/components/schemas/Problem' }
const errors = Object.fromEntries(
  ['400', '401', '403', '404', '409', '413'].map((code) => [code, { description: 'Problem', content: { 'application/problem+json': { schema: problem } } }]),
)
const json = (schema: object, description = 'OK') => ({ description, content: { 'application/json': { schema } } })
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } })
const jsonBody = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'input' }) } } })
const queryParams = (schema: z.ZodObject) =>
  Object.entries((z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, object> }).properties).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }))

export function openApiDocument(serverUrl: string): object {
  const project = pathParam('projectId', 'Project number')
  const issue = pathParam('issueId', 'Issue number')
  const org = pathParam('orgId', 'Organization number')
  return {
    openapi: '3.1.0',
    info: { title: 'Faultline API', version: '1', description: 'Issues, events, outcomes and dead letters. Authenticate with `Authorization: Bearer <token>`.' },
    servers: [{ url: `${serverUrl.replace(/\/$/, '')}/api/v1` }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Problem: {
          type: 'object',
          required: ['title', 'status', 'detail'],
          properties: { title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' } },
        },
      },
    },
    paths: {
      '/orgs': { get: { summary: 'Organizations the caller belongs to (a token: its own)', responses: { 200: json({ type: 'object' }), ...errors } } },
      '/projects': { get: { summary: 'Projects the caller can see, across its organizations', responses: { 200: json({ type: 'object' }), ...errors } } },
      '/orgs/{orgId}/projects': {
        post: { summary: 'Create a project in the organization, optionally limited to teams; answers its DSN', parameters: [org], requestBody: jsonBody(newProjectBody), responses: { 201: json({ type: 'object' }, 'Created'), ...errors } },
      },
      '/projects/{projectId}': {
        get: { summary: 'A project', parameters: [project], responses: { 200: json({ type: 'object' }), ...errors } },
        patch: { summary: 'Rename a project or change the teams it is limited to', parameters: [project], requestBody: jsonBody(projectChangeBody), responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/projects/{projectId}/keys': { get: { summary: 'DSN keys of a project', parameters: [project], responses: { 200: json({ type: 'object' }), ...errors } } },
      '/projects/{projectId}/issues': {
        get: { summary: 'List issues with filters, sorts, cursor pagination and sparkline stats', parameters: [project, ...queryParams(issueListQuery)], responses: { 200: json({ type: 'object' }), ...errors } },
        put: {
          summary: 'Change the status of issues in bulk',
          parameters: [project],
          requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(statusChangeBody, { io: 'input' }) } } },
          responses: { 200: json({ type: 'object' }), ...errors },
        },
      },
      '/projects/{projectId}/issues/merge': {
        post: {
          summary: 'Merge issues into one without rewriting events',
          parameters: [project],
          requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(mergeBody, { io: 'input' }) } } },
          responses: { 200: json({ type: 'object' }), ...errors },
        },
      },
      '/projects/{projectId}/issues/{issueId}': {
        get: { summary: 'Issue detail with the latest event and top tag values', parameters: [project, issue], responses: { 200: json({ type: 'object' }), ...errors } },
        delete: { summary: 'Delete an issue and its events', parameters: [project, issue], responses: { 204: { description: 'Deleted' }, ...errors } },
      },
      '/projects/{projectId}/issues/{issueId}/events': {
        get: { summary: "An issue's events, newest first", parameters: [project, issue, { name: 'cursor', in: 'query', schema: { type: 'string' } }, { name: 'limit', in: 'query', schema: { type: 'integer' } }], responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/projects/{projectId}/events/{eventId}': {
        get: { summary: 'One event in full', parameters: [project, pathParam('eventId', '32-hex event id')], responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/projects/{projectId}/stats/outcomes': {
        get: { summary: 'Outcome counts per category, outcome and reason', parameters: [project, { name: 'since', in: 'query', schema: { type: 'integer' } }, { name: 'until', in: 'query', schema: { type: 'integer' } }], responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/projects/{projectId}/patterns': {
        get: { summary: 'Message patterns (mined templates) with counts, first/last seen, the issues they span and a count series', parameters: [project, ...queryParams(patternListQuery)], responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/projects/{projectId}/patterns/{templateId}/events': {
        get: { summary: "A pattern's events, newest first (a merged template id resolves to its survivor)", parameters: [project, pathParam('templateId', '16-hex template id'), ...queryParams(patternEventsQuery)], responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/projects/{projectId}/anomalies': {
        get: { summary: 'Anomaly scores (0..1) of the project series or an issue series per minute, with the model version and the features behind high scores', parameters: [project, ...queryParams(anomaliesQuery)], responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/projects/{projectId}/issues/{issueId}/similar': {
        get: { summary: 'Issues with a similar signature (ONNX embedding of type, template and top frames), with score and shared features', parameters: [project, issue, ...queryParams(similarQuery)], responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/projects/{projectId}/issue-clusters': {
        get: { summary: 'Pattern clusters: groups of active issues whose embeddings lie within the cosine threshold, with the features all members share', parameters: [project, ...queryParams(clustersQuery)], responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/projects/{projectId}/forecast': {
        get: {
          summary: 'Holt-Winters forecast of a series with a 95 % interval and the predicted time a threshold (events per minute or hour) is crossed',
          parameters: [project, ...queryParams(forecastQuery)],
          responses: { 200: json({ type: 'object' }), 422: { description: 'Not enough history', content: { 'application/problem+json': { schema: problem } } }, ...errors },
        },
      },
      '/projects/{projectId}/backtest': {
        post: {
          summary: 'Score every point of a CSV (timestamp,value; at most 5 MB and 100k points) or a stored series and return the anomaly windows at a sensitivity',
          parameters: [project],
          requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(backtestBody, { io: 'input' }) } } },
          responses: { 200: json({ type: 'object' }), ...errors },
        },
      },
      '/projects/{projectId}/issues/{issueId}/root-cause': {
        get: { summary: 'Root-cause hints: suspect release, over-represented tag values (with p-values) and co-spiking issues', parameters: [project, issue], responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/auth/login': { post: { summary: 'Sign in with a password; sets the session cookie (a second factor may be due)', security: [], requestBody: jsonBody(loginBody), responses: { 200: json({ type: 'object' }), ...errors } } },
      '/auth/mfa/verify': { post: { summary: 'Second factor of a pending sign-in: a TOTP code or a recovery code', security: [], requestBody: jsonBody(secondFactorBody), responses: { 200: json({ type: 'object' }), ...errors } } },
      '/auth/session': { get: { summary: 'The signed-in caller and its memberships', responses: { 200: json({ type: 'object' }), ...errors } } },
      '/auth/logout': { post: { summary: 'End this session', responses: { 204: { description: 'Signed out' }, ...errors } } },
      '/auth/logout-everywhere': { post: { summary: "End every session of the user", responses: { 204: { description: 'Signed out everywhere' }, ...errors } } },
      '/auth/password': { put: { summary: 'Change the password (other sessions end)', requestBody: jsonBody(passwordChangeBody), responses: { 200: json({ type: 'object' }), ...errors } } },
      '/auth/mfa/enroll': { post: { summary: 'Begin TOTP enrolment: a secret and its otpauth URI', responses: { 200: json({ type: 'object' }), ...errors } } },
      '/auth/mfa/activate': { post: { summary: 'Confirm TOTP enrolment with a code; answers the recovery codes once', requestBody: jsonBody(mfaCodeBody), responses: { 200: json({ type: 'object' }), ...errors } } },
      '/auth/mfa/disable': { post: { summary: 'Turn TOTP off with a current code', requestBody: jsonBody(mfaCodeBody), responses: { 200: json({ type: 'object' }), ...errors } } },
      '/me/permissions': { get: { summary: 'What the caller may do: its role and permissions per organization and per visible project', responses: { 200: json({ type: 'object' }), ...errors } } },
      '/projects/{projectId}/issues/{issueId}/activity': {
        get: { summary: "An issue's activity, newest first: status changes (by users and by new events), assignments, merges, comments", parameters: [project, issue, ...queryParams(activityQuery)], responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/projects/{projectId}/issues/{issueId}/comments': {
        post: { summary: 'Comment on an issue', parameters: [project, issue], requestBody: jsonBody(commentBody), responses: { 201: json({ type: 'object' }, 'Created'), ...errors } },
      },
      '/projects/{projectId}/issues/{issueId}/comments/{commentId}': {
        delete: { summary: 'Delete a comment (its author, or an administrator)', parameters: [project, issue, pathParam('commentId', 'Activity id of the comment')], responses: { 204: { description: 'Deleted' }, ...errors } },
      },
      '/projects/{projectId}/issues/{issueId}/events/{eventId}/neighbours': {
        get: { summary: "The oldest, previous, next and latest event ids of the issue around one of its events", parameters: [project, issue, pathParam('eventId', '32-hex event id')], responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/projects/{projectId}/assignees': { get: { summary: 'Users who may be assigned issues of the project', parameters: [project], responses: { 200: json({ type: 'object' }), ...errors } } },
      '/projects/{projectId}/issues/assign': {
        post: { summary: 'Assign issues to a user, or unassign them (assigneeId null)', parameters: [project], requestBody: jsonBody(assignBody), responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/projects/{projectId}/tag-keys': { get: { summary: 'Tag keys of recent events with their event counts (search suggestions)', parameters: [project, ...queryParams(tagKeysQuery)], responses: { 200: json({ type: 'object' }), ...errors } } },
      '/projects/{projectId}/tag-keys/{key}/values': {
        get: { summary: 'The most common values of a tag or event field (user.email, release, ...) in recent events, by prefix', parameters: [project, pathParam('key', 'Tag key or event field'), ...queryParams(tagValuesQuery)], responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/dead-letters/{subject}': { get: { summary: 'Dead letters of a subject', parameters: [pathParam('subject', 'errors, spans, replays or security')], responses: { 200: json({ type: 'object' }), ...errors } } },
      '/dead-letters/{subject}/{seq}/replay': { post: { summary: 'Publish a dead letter again', parameters: [pathParam('subject', 'Subject'), pathParam('seq', 'Sequence')], responses: { 200: json({ type: 'object' }), ...errors } } },
      '/dead-letters/{subject}/{seq}': { delete: { summary: 'Discard a dead letter', parameters: [pathParam('subject', 'Subject'), pathParam('seq', 'Sequence')], responses: { 204: { description: 'Discarded' }, ...errors } } },
    },
  }
}
