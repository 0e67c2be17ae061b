import { formatParams } from '@faultline/core/schema'
import { Limits, dropUndefined, isRecord, readString, truncate, type JsonRecord } from './coerce'
import { readInterface } from './interfaces'

export { formatParams }

const maxMessageInput = Limits.longString * 4

interface LogEntry {
  message?: string
  template?: string
}

function fromLogEntry(entry: unknown): LogEntry | undefined {
  if (!isRecord(entry)) {
    const text = readString(entry, maxMessageInput)
    return text === undefined ? undefined : { message: text }
  }
  const template = readString(entry.message, maxMessageInput)
  const formatted = readString(entry.formatted, maxMessageInput) ?? (template === undefined ? undefined : formatParams(template, entry.params))
  if (formatted === undefined) return undefined
  return { message: formatted, template: template !== formatted ? template : undefined }
}

/**
 * The event's message: `logentry` (or its legacy names) first, then a legacy `message` string or
 * object. `formatted` is preferred when present; without it the template is formatted with its
 * params. The template is kept apart when it differs, since Sentry groups log messages by it.
 */
export function readMessage(raw: JsonRecord): LogEntry {
  const entry = fromLogEntry(readInterface(raw, 'logentry')) ?? fromLogEntry(raw.message)
  if (!entry?.message) return {}
  return dropUndefined({
    message: truncate(entry.message, Limits.longString),
    template: entry.template === undefined ? undefined : truncate(entry.template, Limits.longString),
  })
}
