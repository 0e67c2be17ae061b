/**
 * Typed calls to the security timeline API (issue 15), kept beside the main client so the security
 * pages stay one area; every call goes through the same `request()`.
 */
import { fillPath, queryString, request } from './http'
import { securityEndpoints } from './security-endpoints'
import type {
  BacktestResult,
  DetectionRuleView,
  DetectionView,
  Investigation,
  InvestigationChange,
  PivotField,
  SavedSearch,
  SecurityEventDetail,
  SecurityFieldValues,
  SecurityPivot,
  SecuritySearchBody,
  SecuritySearchResult,
} from './security-types'

const e = securityEndpoints

export interface ExportQuery {
  format: 'ndjson' | 'csv'
  q: string
  startDate: number
  endDate: number
  columns?: string[]
}

/** Where an export of a search downloads from (a plain link: the browser sends the session cookie). */
export function securityExportUrl(projectId: string, query: ExportQuery): string {
  return `/api/v1${fillPath(e.securityExport.path, { projectId })}${queryString({ ...query, columns: query.columns?.join(',') })}`
}

export const securityApi = {
  search: (projectId: string, body: SecuritySearchBody, signal?: AbortSignal) => request<SecuritySearchResult>(e.securitySearch, { params: { projectId }, body, signal }),
  event: (projectId: string, eventId: string, signal?: AbortSignal) => request<SecurityEventDetail>(e.securityEvent, { params: { projectId, eventId }, signal }),
  fieldValues: (projectId: string, query: { field: string; prefix: string; startDate: number; endDate: number; limit?: number }, signal?: AbortSignal) =>
    request<SecurityFieldValues>(e.securityFieldValues, { params: { projectId }, query, signal }),
  pivot: (projectId: string, query: { field: PivotField; value: string; startDate: number; endDate: number }, signal?: AbortSignal) =>
    request<SecurityPivot>(e.securityPivot, { params: { projectId }, query, signal }),
  detections: (projectId: string, query: { startDate: number; endDate: number; rule?: string }) => request<{ data: DetectionView[] }>(e.detections, { params: { projectId }, query }),
  rules: {
    list: (projectId: string) => request<{ data: DetectionRuleView[] }>(e.detectionRules, { params: { projectId } }),
    save: (projectId: string, ruleId: string, source: string) => request<DetectionRuleView>(e.saveDetectionRule, { params: { projectId, ruleId }, body: { source } }),
    switch: (projectId: string, ruleId: string, enabled: boolean) => request<{ id: string; enabled: boolean }>(e.switchDetectionRule, { params: { projectId, ruleId }, body: { enabled } }),
    remove: (projectId: string, ruleId: string) => request<void>(e.removeDetectionRule, { params: { projectId, ruleId } }),
    backtest: (projectId: string, body: { source: string; startDate: number; endDate: number }) => request<BacktestResult>(e.backtestDetectionRule, { params: { projectId }, body }),
  },
  investigations: {
    list: (projectId: string) => request<{ data: Investigation[] }>(e.investigations, { params: { projectId } }),
    create: (projectId: string, title: string, pinned: string[]) => request<Investigation>(e.createInvestigation, { params: { projectId }, body: { title, pinned } }),
    get: (projectId: string, investigationId: string) => request<Investigation>(e.investigation, { params: { projectId, investigationId } }),
    change: (projectId: string, investigationId: string, change: InvestigationChange) => request<Investigation>(e.changeInvestigation, { params: { projectId, investigationId }, body: change }),
  },
  savedSearches: {
    list: (projectId: string) => request<{ data: SavedSearch[] }>(e.savedSearches, { params: { projectId } }),
    save: (projectId: string, search: { name: string; query: string; columns: string[] }) => request<SavedSearch>(e.saveSearch, { params: { projectId }, body: search }),
    remove: (projectId: string, searchId: string) => request<void>(e.deleteSavedSearch, { params: { projectId, searchId } }),
  },
}

export { securityEndpoints }
export type SecurityClient = typeof securityApi
export type * from './security-types'
