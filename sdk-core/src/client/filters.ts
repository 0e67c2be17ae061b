import type { Event } from '../types'

export type Pattern = string | RegExp

export function matchesPattern(value: string, patterns: readonly Pattern[]): boolean {
  return patterns.some((p) => (typeof p === 'string' ? value.includes(p) : p.test(value)))
}

/** The strings `ignoreErrors` is matched against: "Type: value", the value, or the message. */
export function eventMessages(event: Event): string[] {
  const out: string[] = []
  if (typeof event.message === 'string') out.push(event.message)
  else if (event.message?.formatted) out.push(event.message.formatted)
  const last = event.exception?.values[event.exception.values.length - 1]
  if (last) {
    if (last.value) out.push(last.value)
    if (last.type) out.push(last.value ? `${last.type}: ${last.value}` : last.type)
  }
  return out
}

/** The URL of the top frame of the outermost exception, skipping frames with no real source. */
export function eventFilterUrl(event: Event): string | undefined {
  const values = event.exception?.values ?? []
  const frames = values[values.length - 1]?.stacktrace?.frames ?? []
  for (let i = frames.length - 1; i >= 0; i--) {
    const filename = frames[i]!.filename
    if (filename && filename !== '<anonymous>' && filename !== '[native code]') return filename
  }
  return undefined
}

export interface FilterOptions {
  ignoreErrors?: readonly Pattern[]
  denyUrls?: readonly Pattern[]
  allowUrls?: readonly Pattern[]
}

/** Why an event is filtered out, or undefined when it passes. */
export function filterReason(event: Event, options: FilterOptions): string | undefined {
  if (event.type === 'transaction') return undefined
  if (options.ignoreErrors?.length && eventMessages(event).some((m) => matchesPattern(m, options.ignoreErrors!))) return 'ignoreErrors'
  const url = eventFilterUrl(event)
  if (url && options.denyUrls?.length && matchesPattern(url, options.denyUrls)) return 'denyUrls'
  if (url && options.allowUrls?.length && !matchesPattern(url, options.allowUrls)) return 'allowUrls'
  return undefined
}
