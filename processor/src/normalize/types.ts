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
  /** The demangled, possibly trimmed name the SDK or symbolication gave. */
  function?: string
  /** The untrimmed original name, when it differs (.NET, native). */
  rawFunction?: string
  /** The mangled symbol of a native frame. */
  symbol?: string
  /** The binary (native library, .NET assembly) the frame is in. */
  package?: string
  /** Set when the frame's platform differs from the event's (a JavaScript frame in a native crash). */
  platform?: string
  lineno?: number
  colno?: number
  /** Always decided: the SDK's value when it sent one, else inferred from path, module or package. */
  inApp: boolean
  contextLine?: string
  preContext?: string[]
  postContext?: string[]
  /** Native addresses as lowercase `0x…` hex. */
  instructionAddr?: string
  symbolAddr?: string
  imageAddr?: string
  /** `abs`, or `rel:N` for addresses relative to debug image N (.NET, WebAssembly). */
  addrMode?: string
  /** .NET method token, resolved with the assembly's PDB. */
  functionId?: string
  /** How the unwinder found the frame: `context`, `cfi`, `fp`, `scan`, … */
  trust?: string
}

/** One stack: the frames oldest call first, the throwing or crashing frame last. */
export interface NormalizedStacktrace {
  frames: NormalizedFrame[]
  /** Frames dropped from the middle of an over-long stack, or that the SDK said it left out. */
  framesOmitted?: number
  /** CPU registers of a native crash, name → `0x…`. */
  registers?: Record<string, string>
}

/** What the OS or runtime said about a native crash, Sentry's `mechanism.meta`. */
export interface NormalizedMechanismMeta {
  signal?: { number?: number; code?: number; name?: string; codeName?: string }
  machException?: { exception?: number; code?: number; subcode?: number; name?: string }
  nsError?: { code?: number; domain?: string }
  errno?: { number?: number; name?: string }
}

export interface NormalizedMechanism {
  type?: string
  description?: string
  helpLink?: string
  handled?: boolean
  /** The SDK made the exception up (a signal, a non-error thrown): its type says nothing. */
  synthetic?: boolean
  /** Where the exception sits in its parent: `cause`, `__context__`, `exceptions[0]`, … */
  source?: string
  isExceptionGroup?: boolean
  exceptionId?: number
  parentId?: number
  meta?: NormalizedMechanismMeta
  data?: Record<string, unknown>
}

export interface NormalizedException extends NormalizedStacktrace {
  type?: string
  value?: string
  module?: string
  mechanism?: NormalizedMechanism
  /** The thread it was thrown on (`threads[].id`). */
  threadId?: string
}

export interface NormalizedThread extends NormalizedStacktrace {
  id?: string
  name?: string
  /** The thread that caused the event (the crash). */
  crashed?: boolean
  /** The thread that was running (in the foreground) when the event was made. */
  current?: boolean
  /** The UI thread on mobile platforms. */
  main?: boolean
  state?: string
  /** Locks held or waited on (Android ANRs), address → description. */
  heldLocks?: Record<string, unknown>
}

/** A template engine's error location (Django's debug template): Sentry's `template` interface. */
export interface NormalizedTemplate {
  filename?: string
  absPath?: string
  lineno?: number
  contextLine?: string
  preContext?: string[]
  postContext?: string[]
}

export interface NormalizedDebugImage {
  /** `macho`, `elf`, `pe`, `pe_dotnet`, `wasm`, `sourcemap`, `proguard`, `jvm`, … */
  type?: string
  debugId?: string
  debugFile?: string
  codeId?: string
  codeFile?: string
  imageAddr?: string
  imageSize?: number
  imageVmaddr?: string
  arch?: string
}

export interface NormalizedDebugMeta {
  images: NormalizedDebugImage[]
  /** Images beyond the kept ones. */
  imagesOmitted?: number
  sdkInfo?: Record<string, unknown>
}

export const SecurityReportKind = {
  Csp: 'csp',
  Hpkp: 'hpkp',
  ExpectCt: 'expectct',
  ExpectStaple: 'expectstaple',
} as const
export type SecurityReportKind = (typeof SecurityReportKind)[keyof typeof SecurityReportKind]

/** A browser security report (CSP violation, HPKP, Expect-CT or Expect-Staple failure). */
export interface NormalizedSecurityReport {
  kind: SecurityReportKind
  /** The report's fields, camelCased (`effectiveDirective`, `blockedUri`, `hostname`, …). */
  fields: Record<string, unknown>
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
  name?: string
  ipAddress?: string
  segment?: string
  geo?: Record<string, unknown>
  data?: Record<string, unknown>
}

export interface NormalizedRequest {
  url?: string
  method?: string
  query?: string | Record<string, unknown> | unknown[]
  fragment?: string
  headers?: Record<string, string>
  /** CGI-style environment (`REMOTE_ADDR`, `SERVER_NAME`, …). */
  env?: Record<string, string>
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
  /** The formatted message (`logentry.formatted`, or its template with the params filled in). */
  message?: string
  /** `logentry.message` when it differs from the formatted text: what message events group by. */
  messageTemplate?: string
  /**
   * The exception chain in Sentry's order: oldest first, so the LAST entry is the outermost
   * error the application threw and the earlier ones are its causes.
   */
  exceptions: NormalizedException[]
  /** A stack outside any exception (Sentry's deprecated top-level `stacktrace`). */
  stacktrace?: NormalizedStacktrace
  /** The threads the SDK reported, in its order, each with its stack. */
  threads?: NormalizedThread[]
  template?: NormalizedTemplate
  debugMeta?: NormalizedDebugMeta
  security?: NormalizedSecurityReport
  /** Oldest first, at most the 100 newest. */
  breadcrumbs: NormalizedBreadcrumb[]
  tags: Record<string, string>
  contexts: Record<string, Record<string, unknown>>
  user?: NormalizedUser
  request?: NormalizedRequest
  sdk?: NormalizedSdk
  fingerprint?: string[]
  extra?: Record<string, unknown>
  /** Installed packages and their versions. */
  modules?: Record<string, string>
  /** The legacy grouping override: events with the same checksum are one issue. */
  checksum?: string
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
