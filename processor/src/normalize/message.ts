import { Limits, isRecord, readString, truncate } from './coerce'

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
