/**
 * The alerting operations (issue 14) as written in the OpenAPI document; the browser test
 * `tests/dashboard/alerting.int.test.ts` checks each against the document the API serves.
 */
import type { Endpoint } from './endpoints'

const base = '/orgs/{orgId}/alerting'
const op = (method: Endpoint['method'], path: string, query?: readonly string[]): Endpoint => ({ method, path: `${base}${path}`, ...(query && { query }) })

export const alertingEndpoints = {
  config: op('GET', '/config'),
  previewConfig: op('POST', '/config/preview'),
  applyConfig: op('PUT', '/config', ['revision']),
  previewRule: op('POST', '/rules/preview'),
  testRoutes: op('POST', '/routes/test'),
  silences: op('GET', '/silences'),
  createSilence: op('POST', '/silences'),
  expireSilence: op('DELETE', '/silences/{id}'),
  groups: op('GET', '/groups', ['state', 'limit']),
  group: op('GET', '/groups/{id}'),
  acknowledgeGroup: op('POST', '/groups/{id}/acknowledge'),
  resolveGroup: op('POST', '/groups/{id}/resolve'),
  silenceGroup: op('POST', '/groups/{id}/silence'),
  onCall: op('GET', '/schedules/{name}/oncall'),
  icalFeed: op('POST', '/schedules/{name}/ical-feed'),
  incidents: op('GET', '/incidents', ['status', 'limit']),
  declareIncident: op('POST', '/incidents'),
  incident: op('GET', '/incidents/{id}'),
  incidentStatus: op('POST', '/incidents/{id}/status'),
  incidentNote: op('POST', '/incidents/{id}/notes'),
  incidentResponder: op('POST', '/incidents/{id}/responders'),
} as const satisfies Record<string, Endpoint>
