/**
 * Structured JSON logs on stdout (one object a line), leveled. Log lines never carry event
 * payloads or secrets: callers pass ids and counts, not bodies.
 */
import { describeError } from '../errors'

export const LogLevels = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const
export type LogLevel = keyof typeof LogLevels

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  child(fields: Record<string, unknown>): Logger
}

export function createLogger(
  level: LogLevel,
  base: Record<string, unknown> = {},
  write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
): Logger {
  const threshold = LogLevels[level]
  const emit = (lvl: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (LogLevels[lvl] < threshold) return
    const record: Record<string, unknown> = { time: new Date().toISOString(), level: lvl, msg: message, ...base }
    for (const [key, value] of Object.entries(fields ?? {})) {
      record[key] = value instanceof Error ? describeError(value) : value
    }
    write(JSON.stringify(record))
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  }
}
