import { formatParams } from '@faultline/core/schema'
import { Limits, isRecord, readString, truncate } from './coerce'

export { formatParams }

function fromLogEntry(entry: unknown): string | undefined {
  if (!isRecord(entry)) return readString(entry, Limits.longString * 4)
  const formatted = readString(entry.formatted, Limits.longString * 4)
  if (formatted !== undefined) return formatted
  const template = readString(entry.message, Limits.longString * 4)
  if (template === undefined) return undefined
  return formatParams(template, entry.params)
}

/** The event's message: `logentry` first, then a legacy `message` string or object. */
export function readMessage(raw: Record<string, unknown>): string | undefined {
  const text = fromLogEntry(raw.logentry) ?? fromLogEntry(raw.message)
  return text === undefined ? undefined : truncate(text, Limits.longString)
}
