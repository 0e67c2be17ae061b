export {
  addBreadcrumb,
  captureException,
  captureMessage,
  close,
  flush,
  getClient,
  getCurrentScope,
  lastEventId,
  setContext,
  setExtra,
  setTag,
  setTags,
  setUser,
  withScope,
  Client,
  Scope,
  type Breadcrumb,
  type ClientOptions,
  type Event,
  type EventHint,
  type SeverityLevel,
  type User,
} from '@faultline/sdk-core'
export { init, sdkName, sdkVersion, type NodeOptions } from './sdk'
export { withIsolatedScope } from './scope'
export { faultlineHono, faultlineExpress, expressRequestHandler, expressErrorHandler, wrapHandler, type HonoMiddlewareOptions, type ExpressOptions, type WrapHandlerOptions } from './middleware'
export { nodeStackParser, parseV8Line } from './stack'
export { makeNodeRequest, type NodeTransportOptions } from './transport'
export { unhandledRejectionMode } from './integrations'
export { recordSecurityEvent, securityHono, securityExpress, securityHandler, createSecurityMonitor, detectInjection, inspectUrl, AttackKinds, type SecurityEventInput, type SecurityMonitorOptions, type InjectionFinding } from './security'
