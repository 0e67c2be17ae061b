import { createHash, createHmac } from 'node:crypto'
import { createKeyClassifier, type KeyVerdict } from './sensitive-keys'
import { FILTERED, isCardNumber, scrubString, type Counter, type StringScrubOptions } from './value-patterns'

export interface ScrubOptions {
  /** More key names to mask, matched like the defaults: as substrings of the key, case and separators ignored. */
  extraSensitiveKeys?: readonly string[]
  /** Key names (case-insensitive, exact) whose values are never scrubbed; cookies and authorization stay filtered. */
  safeKeys?: readonly string[]
  /** Remove `user.ip_address`, `REMOTE_ADDR` and client-IP headers. Default false. */
  scrubIpAddresses?: boolean
  /** Mask emails in text and replace `user.email` by a stable hash. Default true. */
  scrubEmails?: boolean
  /** HMAC key for the `user.email` hash; without it a plain SHA-256 is used (see README). */
  emailHashKey?: string
}

export interface ScrubResult {
  event: Record<string, unknown>
  /** How many values were masked or removed. */
  scrubbedCount: number
}

export type ScrubEvent = (event: Record<string, unknown>) => ScrubResult

/** Beyond this nesting, values are masked whole: nothing that deep is walked. */
export const MAX_SCRUB_DEPTH = 64

/** Event fields written by SDKs, never by the app's data: skipped for speed and so grouping keeps them. */
const STRUCTURAL_FIELDS = new Set(['event_id', 'timestamp', 'start_timestamp', 'received', 'type', 'platform', 'level', 'sdk', 'debug_meta', 'modules', 'version'])
const HASHED_EMAIL = /^email:[0-9a-f]{12}$/
const WHOLE_EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[A-Za-z]{2,24}$/

/**
 * Builds the scrubber applied to every Sentry event before it is stored or published. It never
 * mutates its input and never throws: whatever the shape of the event, it returns a scrubbed copy.
 */
export function createScrubber(options: ScrubOptions = {}): ScrubEvent {
  const scrubEmails = options.scrubEmails ?? true
  const classifyKey = createKeyClassifier(options)
  const stringOptions: StringScrubOptions = { scrubEmails, classifyKey }
  const emailKey = options.emailHashKey

  const hashEmail = (email: string): string => {
    const normalized = email.trim().toLowerCase()
    const digest = emailKey === undefined ? createHash('sha256').update(normalized) : createHmac('sha256', emailKey).update(normalized)
    return `email:${digest.digest('hex').slice(0, 12)}`
  }

  const mask = (value: unknown, verdict: KeyVerdict, counter: Counter): unknown => {
    if (value === null || value === undefined || value === '' || value === FILTERED || typeof value === 'boolean') return value
    if (verdict === 'token-count' && typeof value === 'number') return value
    counter.count++
    return FILTERED
  }

  const walk = (value: unknown, depth: number, counter: Counter): unknown => {
    if (typeof value === 'string') return scrubString(value, stringOptions, counter)
    if (typeof value === 'number') return scrubNumber(value, counter)
    if (typeof value !== 'object' || value === null) return value
    if (depth >= MAX_SCRUB_DEPTH) return mask(value, 'sensitive', counter)
    if (Array.isArray(value)) return value.map((element) => walkElement(element, depth + 1, counter))
    const out: Record<string, unknown> = {}
    for (const [key, child] of Object.entries(value)) {
      const verdict = classifyKey(key)
      if (verdict === 'remove') {
        counter.count++
        continue
      }
      setOwn(out, key, entryValue(child, verdict, depth + 1, counter))
    }
    return out
  }

  const entryValue = (value: unknown, verdict: KeyVerdict, depth: number, counter: Counter): unknown => {
    if (verdict === 'safe') return value
    if (verdict === 'sensitive' || verdict === 'token-count') return mask(value, verdict, counter)
    return walk(value, depth, counter)
  }

  /** Sentry allows headers, cookies, query strings, tags and extra as `[key, value]` pairs. */
  const walkElement = (element: unknown, depth: number, counter: Counter): unknown => {
    if (Array.isArray(element) && element.length === 2 && typeof element[0] === 'string' && depth < MAX_SCRUB_DEPTH) {
      const verdict = classifyKey(element[0])
      if (verdict === 'remove') {
        counter.count++
        return [element[0], null]
      }
      return [element[0], entryValue(element[1], verdict, depth + 1, counter)]
    }
    return walk(element, depth, counter)
  }

  /** `user.email`, and ids or usernames that are whole addresses, become a stable hash. */
  const isHashedIdentity = (key: string, value: unknown): value is string => {
    if (!scrubEmails || typeof value !== 'string' || HASHED_EMAIL.test(value) || classifyKey(key) !== 'none') return false
    if (key === 'email') return value.trim() !== ''
    return (key === 'id' || key === 'username') && WHOLE_EMAIL.test(value.trim())
  }

  // Hashing rather than masking keeps affected-user counts exact without storing the address.
  const scrubUser = (user: Record<string, unknown>, counter: Counter): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(user)) {
      const verdict = classifyKey(key)
      if (verdict === 'remove') counter.count++
      else if (isHashedIdentity(key, value)) {
        out[key] = hashEmail(value)
        counter.count++
      } else setOwn(out, key, entryValue(value, verdict, 2, counter))
    }
    return out
  }

  return (event) => {
    const counter: Counter = { count: 0 }
    const out: Record<string, unknown> = {}
    if (typeof event !== 'object' || event === null || Array.isArray(event)) return { event: {}, scrubbedCount: 0 }
    for (const [key, value] of Object.entries(event)) {
      if (STRUCTURAL_FIELDS.has(key)) setOwn(out, key, value)
      else if (key === 'user' && isObject(value)) setOwn(out, key, scrubUser(value, counter))
      else {
        const verdict = classifyKey(key)
        if (verdict === 'remove') counter.count++
        else setOwn(out, key, entryValue(value, verdict, 1, counter))
      }
    }
    return { event: out, scrubbedCount: counter.count }
  }
}

/** Card numbers sent as JSON numbers; integers below 13 digits (ids, timestamps in ms start with 1) pass. */
function scrubNumber(value: number, counter: Counter): number | string {
  if (!Number.isInteger(value) || value < 1e12) return value
  if (!isCardNumber(String(value))) return value
  counter.count++
  return FILTERED
}

/** Assigns without invoking the `__proto__` setter, which a key parsed from JSON may be named. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
