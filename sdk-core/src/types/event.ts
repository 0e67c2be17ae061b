/** Wire shapes of the Sentry event protocol (snake_case is the protocol's, kept at this boundary). */

export const SeverityLevels = ['fatal', 'error', 'warning', 'log', 'info', 'debug'] as const
export type SeverityLevel = (typeof SeverityLevels)[number]

export interface StackFrame {
  filename?: string
  abs_path?: string
  module?: string
  function?: string
  lineno?: number
  colno?: number
  in_app?: boolean
  pre_context?: string[]
  context_line?: string
  post_context?: string[]
}

export interface Mechanism {
  type: string
  handled?: boolean
  synthetic?: boolean
  source?: string
  exception_id?: number
  parent_id?: number
  is_exception_group?: boolean
  data?: Record<string, unknown>
}

export interface Exception {
  type?: string
  value?: string
  module?: string
  stacktrace?: { frames: StackFrame[] }
  mechanism?: Mechanism
}

export interface Breadcrumb {
  type?: string
  category?: string
  level?: SeverityLevel
  message?: string
  data?: Record<string, unknown>
  /** Seconds since the epoch, as the protocol wants. */
  timestamp?: number
}

export interface User {
  id?: string | number
  email?: string
  username?: string
  /** `null` tells ingest not to infer one; `'{{auto}}'` asks it to use the connection's address. */
  ip_address?: string | null
  [key: string]: unknown
}

export interface RequestData {
  url?: string
  method?: string
  query_string?: string
  headers?: Record<string, string>
  cookies?: Record<string, string>
  data?: unknown
  env?: Record<string, string>
}

export interface SdkInfo {
  name: string
  version: string
  integrations?: string[]
  packages?: { name: string; version: string }[]
}

export interface Event {
  event_id?: string
  timestamp?: number
  platform?: string
  level?: SeverityLevel
  logger?: string
  transaction?: string
  server_name?: string
  release?: string
  dist?: string
  environment?: string
  message?: string | { formatted: string; message?: string; params?: unknown[] }
  exception?: { values: Exception[] }
  breadcrumbs?: Breadcrumb[]
  user?: User
  tags?: Record<string, string>
  extra?: Record<string, unknown>
  contexts?: Record<string, Record<string, unknown>>
  fingerprint?: string[]
  request?: RequestData
  sdk?: SdkInfo
  /** Only set by the SDK for non-error events (transactions, later). */
  type?: string
}

/** What a capture call knows beyond the event: the original thrown value and how it was caught. */
export interface EventHint {
  originalException?: unknown
  syntheticException?: Error
  mechanism?: Mechanism
  event_id?: string
  data?: Record<string, unknown>
}

export interface BreadcrumbHint {
  [key: string]: unknown
}
