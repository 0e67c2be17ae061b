/** Base of Faultline's non-HTTP errors: a stable `code` callers branch on, and the `cause`. */
export class FaultlineError<Code extends string = string> extends Error {
  readonly code: Code
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

export type ConfigErrorCode = 'invalid' | 'missing'
export class ConfigError extends FaultlineError<ConfigErrorCode> {}

export type MetadataErrorCode = 'duplicate' | 'unavailable' | 'invalid_query'
export class MetadataError extends FaultlineError<MetadataErrorCode> {}

export type BusErrorCode = 'unavailable' | 'publish_failed' | 'invalid_subject'
export class BusError extends FaultlineError<BusErrorCode> {}

export type CacheErrorCode = 'unavailable'
export class CacheError extends FaultlineError<CacheErrorCode> {}

export type EventStoreErrorCode = 'unavailable' | 'migration_failed' | 'query_failed'
export class EventStoreError extends FaultlineError<EventStoreErrorCode> {}

/** The message of any thrown value, with its causes, for logs and dead letters. */
export function describeError(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(`${current.name}: ${current.message}`)
      current = current.cause
    } else {
      parts.push(String(current))
      break
    }
  }
  return parts.join(' <- caused by ')
}
