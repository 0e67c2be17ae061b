/** Sentry event ids are 32 hex characters; ClickHouse stores and prints them as dashed UUIDs. */
export function toUuid(hex32: string): string {
  return `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20)}`
}

export function compactEventId(uuid: string): string {
  return uuid.replaceAll('-', '')
}

const EVENT_ID = /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i

/**
 * An event id as stored, 32 lowercase hex digits, from the plain or the dashed UUID form; undefined
 * for anything else (36 dashes, 36 hex digits, other lengths), so it is safe to pass to `toUuid`.
 */
export function parseEventId(value: unknown): string | undefined {
  if (typeof value !== 'string' || !EVENT_ID.test(value)) return undefined
  return value.replaceAll('-', '').toLowerCase()
}
