import type { JsonRecord } from './coerce'

/**
 * The legacy names of Sentry's interfaces, as Relay accepts them (`legacy_alias` in its event
 * schema): raven clients and old PHP, JavaScript and Java SDKs send `sentry.interfaces.Exception`
 * where current SDKs send `exception`. The current name wins when both are present.
 */
const legacyAliases = {
  exception: ['sentry.interfaces.Exception'],
  stacktrace: ['sentry.interfaces.Stacktrace'],
  logentry: ['sentry.interfaces.Message', 'sentry.interfaces.LogEntry'],
  request: ['sentry.interfaces.Http'],
  user: ['sentry.interfaces.User'],
  template: ['sentry.interfaces.Template'],
  breadcrumbs: ['sentry.interfaces.Breadcrumbs'],
  contexts: ['sentry.interfaces.Contexts'],
  csp: ['sentry.interfaces.Csp'],
  hpkp: ['sentry.interfaces.Hpkp'],
  expectct: ['sentry.interfaces.ExpectCT'],
  expectstaple: ['sentry.interfaces.ExpectStaple'],
} as const

export type InterfaceName = keyof typeof legacyAliases

/** The value of an interface under its current name, else under its first legacy name present. */
export function readInterface(raw: JsonRecord, name: InterfaceName): unknown {
  if (isPresent(raw[name])) return raw[name]
  for (const alias of legacyAliases[name]) {
    if (isPresent(raw[alias])) return raw[alias]
  }
  return undefined
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null
}
