import type { Event, Exception } from '../types'

// Keys are computed once per event: the previous event is compared against every new capture.
const keys = new WeakMap<Exception, string>()

function frameKey(exception: Exception | undefined): string {
  if (!exception) return ''
  let key = keys.get(exception)
  if (key === undefined) {
    const frames = exception.stacktrace?.frames ?? []
    key = frames.map((f) => `${f.filename}:${f.lineno}:${f.colno}:${f.function}`).join('|')
    keys.set(exception, key)
  }
  return key
}

function messageOf(event: Event): string | undefined {
  return typeof event.message === 'string' ? event.message : event.message?.formatted
}

/** True when `current` repeats `previous` (same message or exception, same stack, same fingerprint). */
export function isDuplicate(current: Event, previous: Event | undefined): boolean {
  if (!previous) return false
  if ((current.fingerprint ?? []).join('\u0000') !== (previous.fingerprint ?? []).join('\u0000')) return false
  const a = current.exception?.values ?? []
  const b = previous.exception?.values ?? []
  if (a.length !== b.length) return false
  if (a.length === 0) return messageOf(current) !== undefined && messageOf(current) === messageOf(previous)
  return a.every((ex, i) => ex.type === b[i]!.type && ex.value === b[i]!.value && frameKey(ex) === frameKey(b[i]))
}
