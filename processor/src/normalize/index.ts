export { normalizeEvent } from './normalize-event'
export { parseLevel } from './level'
export { maxFramesPerStack } from './frames'
export { inferInApp } from './in-app'
export { maxExceptions } from './exceptions'
export { representativeThread } from './threads'
export { maxBreadcrumbs } from './breadcrumbs'
export { formatParams } from './message'
export { cspFacts, normalizeCspUri } from './security-summary'
export {
  Level,
  SecurityReportKind,
  type NormalizeContext,
  type NormalizeResult,
  type NormalizedBreadcrumb,
  type NormalizedDebugImage,
  type NormalizedDebugMeta,
  type NormalizedEvent,
  type NormalizedException,
  type NormalizedFrame,
  type NormalizedMechanism,
  type NormalizedMechanismMeta,
  type NormalizedRequest,
  type NormalizedSdk,
  type NormalizedSecurityReport,
  type NormalizedStacktrace,
  type NormalizedTemplate,
  type NormalizedThread,
  type NormalizedUser,
} from './types'
