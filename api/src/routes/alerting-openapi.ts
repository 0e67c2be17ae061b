/** The alerting routes' part of the OpenAPI document, from the same zod schemas the routes validate with. */
import type { OpenApiHelpers } from './openapi-helpers'
import { groupQuery, icalQuery, previewBody, revisionQuery, secretBody, silenceBody, silenceGroupBody, testBody } from './alerting'
import { declareBody, issueBody, listQuery, noteBody, responderBody, statusBody } from './alerting-incidents'

export function alertingPaths({ errors, jsonBody, queryParams, pathParam, ok }: Omit<OpenApiHelpers, 'project'>): Record<string, object> {
  const done = { 204: { description: 'Done' }, ...errors }
  const org = pathParam('orgId', 'Organization number')
  const id = (what: string) => pathParam('id', `${what} id`)
  const yamlOrJson = {
    required: true,
    content: {
      'application/yaml': { schema: { type: 'string', description: 'The alerting configuration as YAML' } },
      'application/json': { schema: { type: 'object', properties: { yaml: { type: 'string' } }, required: ['yaml'] } },
    },
  }
  const configProblems = {
    description: 'The configuration has problems, each with its line and column',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/AlertingConfigProblems' } } },
  }
  const base = '/orgs/{orgId}/alerting'
  const group = [org, id('Alert group')]
  const incident = [org, id('Incident')]
  const schedule = [org, pathParam('name', 'Schedule name')]
  return {
    [`${base}/config`]: {
      get: {
        summary: 'The alerting configuration as code (receivers, routes, rules, schedules, escalations) with its revision; `?format=yaml` answers the YAML itself',
        parameters: [org, { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['yaml'] } }],
        responses: ok('AlertingConfig'),
      },
      put: {
        summary: 'Apply a configuration atomically; `revision` must be the one read (409 otherwise), problems are answered with their line numbers (422)',
        parameters: [org, ...queryParams(revisionQuery)],
        requestBody: yamlOrJson,
        responses: { ...ok('AlertingConfigApplied'), 422: configProblems },
      },
    },
    [`${base}/config/preview`]: { post: { summary: 'Check a configuration and show its diff against the applied one, without applying it', parameters: [org], requestBody: yamlOrJson, responses: { ...ok('AlertingConfigPreview'), 422: configProblems } } },
    [`${base}/secrets`]: { get: { summary: 'Names of the alerting secrets (webhook URLs, tokens) the configuration may refer to; never their values', parameters: [org], responses: ok('AlertingSecretNames') } },
    [`${base}/secrets/{name}`]: {
      put: { summary: 'Set a secret, stored encrypted', parameters: [org, pathParam('name', 'Secret name')], requestBody: jsonBody(secretBody), responses: done },
      delete: { summary: 'Delete a secret', parameters: [org, pathParam('name', 'Secret name')], responses: done },
    },
    [`${base}/silences`]: {
      get: { summary: 'Silences, active and expired', parameters: [org], responses: ok('Silences') },
      post: { summary: 'Silence the alerts whose labels match every matcher (Alertmanager syntax) until endsAt', parameters: [org], requestBody: jsonBody(silenceBody), responses: ok('Silence', 201) },
    },
    [`${base}/silences/{id}`]: { delete: { summary: 'Expire a silence now', parameters: [org, id('Silence')], responses: ok('Silence') } },
    [`${base}/groups`]: { get: { summary: 'Alert groups (alerts grouped by their route), newest first', parameters: [org, ...queryParams(groupQuery)], responses: ok('AlertGroups') } },
    [`${base}/groups/{id}`]: { get: { summary: 'An alert group with its alerts and notifications', parameters: group, responses: ok('AlertGroup') } },
    [`${base}/groups/{id}/acknowledge`]: { post: { summary: 'Acknowledge a group: escalation stops', parameters: group, responses: ok('AlertGroup') } },
    [`${base}/groups/{id}/resolve`]: { post: { summary: 'Resolve a group and the issues behind it', parameters: group, responses: ok('AlertGroup') } },
    [`${base}/groups/{id}/silence`]: { post: { summary: 'Silence a group for some minutes', parameters: group, requestBody: jsonBody(silenceGroupBody), responses: ok('Silence', 201) } },
    [`${base}/rules/preview`]: { post: { summary: 'How often a rule would have fired over the last 7 days, with the times', parameters: [org], requestBody: jsonBody(previewBody), responses: ok('RulePreview') } },
    [`${base}/schedules/{name}/oncall`]: { get: { summary: 'Who is on call now in a schedule', parameters: schedule, responses: ok('OnCall') } },
    [`${base}/schedules/{name}/ical`]: {
      get: { summary: 'The schedule as an iCalendar feed', parameters: [...schedule, ...queryParams(icalQuery)], responses: { 200: { description: 'iCalendar', content: { 'text/calendar': { schema: { type: 'string' } } } }, ...errors } },
    },
    [`${base}/routes/test`]: { post: { summary: 'Which routes and receivers an alert with these labels would reach', parameters: [org], requestBody: jsonBody(testBody), responses: ok('RouteTest') } },
    [`${base}/schemas/notification-v1.json`]: { get: { summary: 'The JSON Schema of webhook notification payloads (version 1)', parameters: [org], responses: ok('JsonSchema') } },
    [`${base}/incidents`]: {
      get: { summary: 'Incidents, newest first', parameters: [org, ...queryParams(listQuery)], responses: ok('Incidents') },
      post: { summary: 'Declare an incident, optionally from an alert group', parameters: [org], requestBody: jsonBody(declareBody), responses: ok('Incident', 201) },
    },
    [`${base}/incidents/{id}`]: { get: { summary: 'An incident with its timeline, responders and linked issues', parameters: incident, responses: ok('IncidentDetail') } },
    [`${base}/incidents/{id}/summary`]: { get: { summary: 'A written summary of the incident for a postmortem', parameters: incident, responses: ok('IncidentSummary') } },
    [`${base}/incidents/{id}/status`]: { post: { summary: 'Move the incident to a status, with a message', parameters: incident, requestBody: jsonBody(statusBody), responses: ok('Incident') } },
    [`${base}/incidents/{id}/acknowledge`]: { post: { summary: 'Acknowledge the incident', parameters: incident, responses: ok('Incident') } },
    [`${base}/incidents/{id}/notes`]: { post: { summary: 'Add a note to the timeline', parameters: incident, requestBody: jsonBody(noteBody), responses: ok('TimelineEntry', 201) } },
    [`${base}/incidents/{id}/responders`]: { post: { summary: 'Add a responder or the commander', parameters: incident, requestBody: jsonBody(responderBody), responses: ok('Incident') } },
    [`${base}/incidents/{id}/issues`]: { post: { summary: 'Link an issue of one of the organization\'s projects', parameters: incident, requestBody: jsonBody(issueBody), responses: ok('Incident') } },
    '/orgs/{orgId}/integrations/slack/interactions': {
      post: {
        summary: "Slack's interactivity endpoint for the Acknowledge / Resolve / Silence buttons; every request carries Slack's signature",
        parameters: [org],
        requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { payload: { type: 'string' } } } } } },
        responses: { 200: { description: 'Taken (empty body; Slack shows the updated message)' }, ...errors },
      },
    },
  }
}
