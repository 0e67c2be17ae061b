/** Sentry event ids are 32 hex characters; ClickHouse stores and prints them as dashed UUIDs. */
export function toUuid(hex32: string): string {
  return `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20)}`
}

export function compactEventId(uuid: string): string {
  return uuid.replaceAll('-', '')
}
