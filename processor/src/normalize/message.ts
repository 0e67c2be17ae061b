import { Limits, dropUndefined, isRecord, readString, truncate, type JsonRecord } from './coerce'
import { readInterface } from './interfaces'

const printfToken = /%(?:\(([^)]{1,64})\))?([sdifoOj%])/g

function paramText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === undefined) return 'undefined'
  try {
    return typeof value === 'object' ? (JSON.stringify(value) ?? String(value)) : String(value)
  } catch {
    // A BigInt or an exotic object: its plain text is the best we can show.
    return String(value)
  }
}

/** Printf-style formatting as Relay does: positional `%s` with an array, `%(name)s` with an object. */
export function formatParams(template: string, params: unknown): string {
  const positional = Array.isArray(params) ? params : undefined
  const named = isRecord(params) ? params : undefined
  if (!positional && !named) return template
  let next = 0
  return template.replace(printfToken, (token, name: string | undefined, kind: string) => {
    if (kind === '%') return '%'
    if (name !== undefined) {
      return named && Object.prototype.hasOwnProperty.call(named, name) ? paramText(named[name]) : token
    }
    if (!positional || next >= positional.length) return token
    return paramText(positional[next++])
  })
}

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
