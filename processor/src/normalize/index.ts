export { normalizeEvent } from './normalize-event'
export { parseLevel } from './level'
export { inferInApp, maxFramesPerStack } from './frames'
export { maxExceptions } from './exceptions'
export { maxBreadcrumbs } from './breadcrumbs'
export { formatParams } from './message'
export {
  Level,
  type NormalizeContext,
  type NormalizeResult,
  type NormalizedBreadcrumb,
  type NormalizedEvent,
  type NormalizedException,
  type NormalizedFrame,
  type NormalizedMechanism,
  type NormalizedRequest,
  type NormalizedSdk,
  type NormalizedUser,
} from './types'
