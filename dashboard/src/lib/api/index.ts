export { api, type IssueListQuery, type StatusChange } from './client'
export { ApiError, onUnauthorized } from './http'
export { endpoints, type Endpoint } from './endpoints'
export type * from './types'
