import { Level } from './types'

const aliases: Record<string, Level> = {
  fatal: Level.Fatal,
  critical: Level.Fatal,
  error: Level.Error,
  warning: Level.Warning,
  warn: Level.Warning,
  info: Level.Info,
  log: Level.Info,
  debug: Level.Debug,
}

/** Sentry levels plus the aliases SDKs and loggers send; anything else is undefined. */
export function parseLevel(value: unknown): Level | undefined {
  if (typeof value !== 'string') return undefined
  const key = value.trim().toLowerCase()
  return Object.prototype.hasOwnProperty.call(aliases, key) ? aliases[key] : undefined
}
