/**
 * The security timeline's operations (issue 15) as written in the OpenAPI document; the browser
 * test `tests/dashboard/security.int.test.ts` checks each against the document the API serves.
 */
import type { Endpoint } from './endpoints'

const base = '/projects/{projectId}/security'
const op = (method: Endpoint['method'], path: string, query?: readonly string[]): Endpoint => ({ method, path: `${base}${path}`, ...(query && { query }) })

export const securityEndpoints = {
  securitySearch: op('POST', '/search'),
  securityEvent: op('GET', '/events/{eventId}'),
  securityFieldValues: op('GET', '/field-values', ['field', 'prefix', 'startDate', 'endDate', 'limit']),
  securityPivot: op('GET', '/pivot', ['field', 'value', 'startDate', 'endDate']),
  securityExport: op('GET', '/export', ['format', 'q', 'startDate', 'endDate', 'columns']),
  detections: op('GET', '/detections', ['startDate', 'endDate', 'rule', 'limit']),
  detectionRules: op('GET', '/rules'),
  saveDetectionRule: op('PUT', '/rules/{ruleId}'),
  switchDetectionRule: op('PATCH', '/rules/{ruleId}'),
  removeDetectionRule: op('DELETE', '/rules/{ruleId}'),
  backtestDetectionRule: op('POST', '/rules/backtest'),
  investigations: op('GET', '/investigations'),
  createInvestigation: op('POST', '/investigations'),
  investigation: op('GET', '/investigations/{investigationId}'),
  changeInvestigation: op('PATCH', '/investigations/{investigationId}'),
  savedSearches: op('GET', '/saved-searches'),
  saveSearch: op('POST', '/saved-searches'),
  deleteSavedSearch: op('DELETE', '/saved-searches/{searchId}'),
} as const satisfies Record<string, Endpoint>
