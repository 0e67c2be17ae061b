export {
  addBreadcrumb,
  captureEvent,
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
  type Breadcrumb,
  type ClientOptions,
  type Event,
  type EventHint,
  type SeverityLevel,
  type User,
} from '@faultline/sdk-core'
export { init, sdkName, sdkVersion, type BrowserOptions } from './sdk'
export { browserStackParser } from './stack'
export { wrap } from './integrations'
