/** The security timeline's part of the OpenAPI document, from the same zod schemas its routes validate with. */
import type { OpenApiHelpers } from './openapi-helpers'
import {
  backtestRuleBody,
  detectionsQuery,
  fieldValuesQuery,
  investigationBody,
  investigationChangeBody,
  ruleBody,
  ruleSwitchBody,
  savedSearchBody,
  securityEventsQuery,
  securityExportQuery,
  securityPivotQuery,
  securitySearchBody,
} from './security'

export function securityPaths({ project, errors, jsonBody, queryParams, pathParam, ok: typed }: OpenApiHelpers): Record<string, object> {
  const rule = pathParam('ruleId', 'Rule id')
  const investigation = pathParam('investigationId', 'Investigation id')
  const base = '/projects/{projectId}/security'
  return {
    [`${base}/events`]: { get: { summary: 'Security events, newest first: startDate, endDate, severity, action, outcome, sourceIp (CIDR), user, q (query language), columns; cursor pagination', parameters: [project, ...queryParams(securityEventsQuery)], responses: typed('SecurityEventPage') } },
    [`${base}/events/{eventId}`]: { get: { summary: 'One security event in full (audited): the ECS document, when it was received, the trace, span, session and replay it names with the security events sharing each, and the errors of the same trace or replay; 404 when absent', parameters: [project, pathParam('eventId', 'Event id (32 hex digits)')], responses: typed('SecurityEventDetail') } },
    [`${base}/field-values`]: { get: { summary: 'The most frequent values of a query-language field (or attributes.<key>) starting with prefix, with counts, in a time range (the last 24 hours by default)', parameters: [project, ...queryParams(fieldValuesQuery)], responses: typed('SecurityFieldValues') } },
    [`${base}/search`]: { post: { summary: 'Search in the query language, with an optional time histogram and chosen columns', parameters: [project], requestBody: jsonBody(securitySearchBody), responses: typed('SecuritySearch') } },
    [`${base}/pivot`]: { get: { summary: 'Everything about an IP, user or session: actions, related users and IPs with countries, sessions, recent events, errors of the same users', parameters: [project, ...queryParams(securityPivotQuery)], responses: typed('SecurityPivot') } },
    [`${base}/export`]: { get: { summary: 'Export a search as NDJSON or CSV (audited)', parameters: [project, ...queryParams(securityExportQuery)], responses: { 200: { description: 'NDJSON or CSV stream' }, ...errors } } },
    [`${base}/detections`]: { get: { summary: 'Detections found by the rules', parameters: [project, ...queryParams(detectionsQuery)], responses: typed('Detections') } },
    [`${base}/rules`]: { get: { summary: 'The rules the project runs: the built-in pack and its own', parameters: [project], responses: typed('SecurityRules') } },
    [`${base}/rules/{ruleId}`]: {
      put: { summary: 'Save a rule from its YAML (422 with line-numbered problems)', parameters: [project, rule], requestBody: jsonBody(ruleBody), responses: typed('SecurityRule') },
      patch: { summary: 'Turn a rule on or off', parameters: [project, rule], requestBody: jsonBody(ruleSwitchBody), responses: typed('SecurityRuleSwitch') },
      delete: { summary: "Remove the project's own rule (a built-in one comes back)", parameters: [project, rule], responses: { 204: { description: 'Removed' }, ...errors } },
    },
    [`${base}/rules/backtest`]: { post: { summary: 'Run a rule over stored events without storing anything', parameters: [project], requestBody: jsonBody(backtestRuleBody), responses: typed('SecurityBacktest') } },
    [`${base}/investigations`]: {
      get: { summary: 'Investigations', parameters: [project], responses: typed('Investigations') },
      post: { summary: 'Open an investigation with pinned events', parameters: [project], requestBody: jsonBody(investigationBody), responses: typed('Investigation', 201) },
    },
    [`${base}/investigations/{investigationId}`]: {
      get: { summary: 'An investigation', parameters: [project, investigation], responses: typed('Investigation') },
      patch: { summary: 'Retitle, close, pin or unpin events, add a note', parameters: [project, investigation], requestBody: jsonBody(investigationChangeBody), responses: typed('Investigation') },
    },
    [`${base}/saved-searches`]: {
      get: { summary: 'Saved searches', parameters: [project], responses: typed('SavedSearches') },
      post: { summary: 'Save a search', parameters: [project], requestBody: jsonBody(savedSearchBody), responses: typed('SavedSearch', 201) },
    },
    [`${base}/saved-searches/{searchId}`]: { delete: { summary: 'Delete a saved search', parameters: [project, pathParam('searchId', 'Saved search id')], responses: { 204: { description: 'Deleted' }, ...errors } } },
  }
}
