const maxPastMs = 30 * 24 * 60 * 60 * 1000
const maxFutureMs = 60 * 1000

/** RFC 3339 text or unix seconds (float, or numeric text) to milliseconds. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1000 : undefined
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000
  // Sentry accepts naive datetimes as UTC; Date.parse would read them as local time.
  const text = /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(value) ? `${value}Z` : value
  const ms = Date.parse(text)
  return Number.isFinite(ms) ? ms : undefined
}

/**
 * The event time in ms: the client's when plausible, else the time it was received, as Relay
 * does for clocks that are badly off. `original` is set only when the client's was replaced.
 */
export function resolveTimestamp(value: unknown, receivedAt: number): { timestamp: number; original?: number } {
  const parsed = parseTimestamp(value)
  if (parsed === undefined) return { timestamp: receivedAt }
  const ms = Math.round(parsed)
  if (ms < receivedAt - maxPastMs || ms > receivedAt + maxFutureMs) {
    return Number.isSafeInteger(ms) ? { timestamp: receivedAt, original: ms } : { timestamp: receivedAt }
  }
  return { timestamp: ms }
}
