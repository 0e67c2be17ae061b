/** Severity of an event, Sentry's vocabulary. */
export const Level = {
  Fatal: 'fatal',
  Error: 'error',
  Warning: 'warning',
  Info: 'info',
  Debug: 'debug',
} as const
export type Level = (typeof Level)[keyof typeof Level]

export interface NormalizedFrame {
  filename?: string
  absPath?: string
  module?: string
  function?: string
  lineno?: number
  colno?: number
  /** Always decided: the SDK's value when it sent one, else inferred from the path. */
  inApp: boolean
  contextLine?: string
  preContext?: string[]
  postContext?: string[]
}

export interface NormalizedMechanism {
  type?: string
  handled?: boolean
  synthetic?: boolean
}

export interface NormalizedException {
  type?: string
  value?: string
  module?: string
  mechanism?: NormalizedMechanism
  /** Oldest call first, the throwing frame last (Sentry's order). */
  frames: NormalizedFrame[]
  /** Frames dropped from the middle of an over-long stack. */
  framesOmitted?: number
}

export interface NormalizedBreadcrumb {
  timestamp?: number
  type?: string
  category?: string
  level?: Level
  message?: string
  data?: Record<string, unknown>
}

export interface NormalizedUser {
  id?: string
  email?: string
  username?: string
  ipAddress?: string
  segment?: string
  geo?: Record<string, unknown>
}

export interface NormalizedRequest {
  url?: string
  method?: string
  query?: string | Record<string, unknown> | unknown[]
  headers?: Record<string, string>
}

export interface NormalizedSdk {
  name?: string
  version?: string
}

export interface NormalizedEvent {
  projectId: string
  /** 32 lowercase hex characters. */
  eventId: string
  /** Milliseconds since the epoch; clamped to `receivedAt` when absurd. */
  timestamp: number
  /** The client's timestamp (ms) when it was replaced by `receivedAt`. */
  originalTimestamp?: number
  receivedAt: number
  level: Level
  platform?: string
  logger?: string
  transaction?: string
  serverName?: string
  release?: string
  dist?: string
  environment: string
  message?: string
  /**
   * The exception chain in Sentry's order: oldest first, so the LAST entry is the outermost
   * error the application threw and the earlier ones are its causes.
   */
  exceptions: NormalizedException[]
  /** Oldest first, at most the 100 newest. */
  breadcrumbs: NormalizedBreadcrumb[]
  tags: Record<string, string>
  contexts: Record<string, Record<string, unknown>>
  user?: NormalizedUser
  request?: NormalizedRequest
  sdk?: NormalizedSdk
  fingerprint?: string[]
  extra?: Record<string, unknown>
  culprit?: string
  title: string
  /** id, email, username or ip of the user: what "users affected" counts. */
  userKey?: string
}

export interface NormalizeContext {
  projectId: string
  receivedAt: number
  clientIp?: string
}

export type NormalizeResult = { ok: true; event: NormalizedEvent } | { ok: false; reason: string }
