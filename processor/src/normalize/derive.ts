import { truncate } from './coerce'
import type { NormalizedEvent, NormalizedException, NormalizedFrame, NormalizedUser } from './types'

const maxTitleLength = 200
const maxCulpritLength = 200

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/, 1)[0] ?? ''
}

/** Sentry's error title: "Type: first line of value" of the outermost exception, else the message. */
export function deriveTitle(exceptions: readonly NormalizedException[], message: string | undefined): string {
  const outermost = exceptions.at(-1)
  if (outermost && (outermost.type || outermost.value)) {
    const value = outermost.value ? firstLine(outermost.value) : ''
    const type = outermost.type ?? 'Error'
    return truncate(value ? `${type}: ${value}` : type, maxTitleLength)
  }
  const line = message ? firstLine(message) : ''
  return line ? truncate(line, maxTitleLength) : '<unlabeled event>'
}

function frameCulprit(frame: NormalizedFrame): string | undefined {
  const location = frame.module ?? frame.filename ?? frame.absPath
  if (location && frame.function) return `${location} in ${frame.function}`
  return location ?? frame.function
}

/**
 * Where the error happened, as Sentry shows under the title: the transaction when there is one,
 * else the newest in-app frame of the outermost exception (its newest frame when none is
 * in-app), else the request URL.
 */
export function deriveCulprit(event: Pick<NormalizedEvent, 'transaction' | 'exceptions' | 'request'>): string | undefined {
  if (event.transaction) return truncate(event.transaction, maxCulpritLength)
  const frames = event.exceptions.at(-1)?.frames ?? []
  const frame = frames.findLast((f) => f.inApp) ?? frames.at(-1)
  const fromFrame = frame ? frameCulprit(frame) : undefined
  const culprit = fromFrame ?? event.request?.url
  return culprit ? truncate(culprit, maxCulpritLength) : undefined
}

/** The identity counted for "users affected": the first of id, email, username, IP address. */
export function deriveUserKey(user: NormalizedUser | undefined): string | undefined {
  if (!user) return undefined
  return user.id ?? user.email ?? user.username ?? user.ipAddress
}
