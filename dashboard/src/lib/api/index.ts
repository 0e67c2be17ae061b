export { api, auditExportUrl, type AuditQuery, type IssueListQuery, type NewToken, type SetupBody, type StatusChange } from './client'
export { ApiError, onUnauthorized } from './http'
export { endpoints, type Endpoint } from './endpoints'
export type * from './types'
