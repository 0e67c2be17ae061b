import { truncate } from './coerce'
import { representativeThread } from './threads'
import type { NormalizedEvent, NormalizedException, NormalizedFrame, NormalizedUser } from './types'

const maxTitleLength = 200
const maxCulpritLength = 200
const nativePlatforms = new Set(['objc', 'cocoa', 'swift', 'native', 'c'])
const javascriptPlatforms = new Set(['javascript', 'node'])
const unknownFunctions = new Set(['<redacted>', '<unknown>'])

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/, 1)[0] ?? ''
}

/** A child's place in its group: `exceptions[2]` → 2; children without one come after. */
function childIndex(exception: NormalizedException): number {
  const match = /^exceptions\[(\d+)\]$/.exec(exception.mechanism?.source ?? '')
  return match ? Number(match[1]) : Number.MAX_SAFE_INTEGER
}

/**
 * The exception that names the event: the outermost one, or for an exception group (Python's
 * ExceptionGroup, .NET's AggregateException) the first exception inside the root group, going
 * down through nested groups.
 */
function mainException(exceptions: readonly NormalizedException[]): NormalizedException | undefined {
  let main = exceptions.find((e) => e.mechanism?.isExceptionGroup && e.mechanism.exceptionId === 0) ?? exceptions.at(-1)
  const seen = new Set<NormalizedException>()
  while (main?.mechanism?.isExceptionGroup && !seen.has(main)) {
    seen.add(main)
    const id = main.mechanism.exceptionId
    const children = exceptions.filter((e) => id !== undefined && e.mechanism?.parentId === id && e !== main)
    if (children.length === 0) break
    main = children.reduce((first, child) => (childIndex(child) < childIndex(first) ? child : first))
  }
  return main
}

/**
 * The stack the event is about, as Sentry finds the crash frame: the outermost exception's,
 * else the top-level stack, else the representative thread's.
 */
export function primaryFrames(event: Pick<NormalizedEvent, 'exceptions' | 'stacktrace' | 'threads'>): readonly NormalizedFrame[] {
  const exceptionFrames = event.exceptions.at(-1)?.frames ?? []
  if (exceptionFrames.length > 0) return exceptionFrames
  if (event.stacktrace && event.stacktrace.frames.length > 0) return event.stacktrace.frames
  return representativeThread(event.threads ?? [])?.frames ?? []
}

/** The function of the crash frame: the newest in-app frame that names one, else the newest that does. */
function crashFunction(frames: readonly NormalizedFrame[]): string | undefined {
  const named = frames.filter((f) => f.function !== undefined && !unknownFunctions.has(f.function))
  return (named.findLast((f) => f.inApp) ?? named.at(-1))?.function
}

/**
 * Sentry's title: "Type: first line of value" of the main exception, or just the type when the
 * value is empty or repeats the type. A synthetic exception (a signal, something not an error
 * that was thrown) is titled by its crash function instead, as its type says nothing. Without
 * an exception, the message's first line.
 */
export function deriveTitle(event: Pick<NormalizedEvent, 'exceptions' | 'stacktrace' | 'threads' | 'message'>): string {
  const main = mainException(event.exceptions)
  if (main && (main.type || main.value)) {
    const crash = main.mechanism?.synthetic ? crashFunction(primaryFrames(event)) : undefined
    if (crash) return truncate(crash, maxTitleLength)
    const type = main.type ?? 'Error'
    let value = main.value ? firstLine(main.value) : ''
    // Some SDKs repeat the type in the value ("X: X: message"), or send only the type twice.
    if (value.startsWith(`${type}: `)) value = value.slice(type.length + 2).trim()
    return truncate(value && value !== type ? `${type}: ${value}` : type, maxTitleLength)
  }
  const line = event.message ? firstLine(event.message) : ''
  return line ? truncate(line, maxTitleLength) : '<unlabeled event>'
}

function frameCulprit(frame: NormalizedFrame, eventPlatform: string | undefined): string | undefined {
  const platform = frame.platform ?? eventPlatform ?? ''
  if (nativePlatforms.has(platform)) return frame.function ?? frame.symbol
  const location = frame.module ?? frame.filename
  if (!location) return undefined
  if (javascriptPlatforms.has(platform)) return `${frame.function ?? '?'}(${location})`
  return `${location} in ${frame.function ?? '?'}`
}

function stackCulprit(frames: readonly NormalizedFrame[], platform: string | undefined): string | undefined {
  let fallback: string | undefined
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i] as NormalizedFrame
    const culprit = frameCulprit(frame, platform)
    if (culprit && frame.inApp) return culprit
    fallback ??= culprit
  }
  return fallback
}

type CulpritSource = Pick<NormalizedEvent, 'transaction' | 'exceptions' | 'stacktrace' | 'threads' | 'request' | 'platform'>

/**
 * Where the error happened, as Sentry shows under the title: the culprit the client or the
 * security report gave, else the transaction, else the newest in-app frame of the event's
 * stack (its newest frame when none is in-app), else the request URL. A synthetic exception
 * gets no frame culprit: its title already is the crash function.
 */
export function deriveCulprit(event: CulpritSource, given: string | undefined): string | undefined {
  let culprit = given ?? event.transaction
  if (culprit === undefined && !event.exceptions.at(-1)?.mechanism?.synthetic) {
    culprit = stackCulprit(primaryFrames(event), event.platform) ?? event.request?.url
  }
  return culprit ? truncate(culprit, maxCulpritLength) : undefined
}

/** The identity counted for "users affected": the first of id, email, username, IP address. */
export function deriveUserKey(user: NormalizedUser | undefined): string | undefined {
  if (!user) return undefined
  return user.id ?? user.email ?? user.username ?? user.ipAddress
}
