/**
 * The scrubbing engine: a project's rules compiled once, then applied to every string of every
 * item in one walk. Key rules own whole values under matching keys (at any depth, in `[key,
 * value]` pair lists too, and written as `key=value` inside strings); value rules replace what
 * they match inside any string, including object keys. Never mutates its input, never throws.
 */
import { effectiveRules, FILTERED, type EmailHandling, type IpHandling, type PrivacySettings, type Rule } from '@faultline/core/privacy'
import { compileLinearPattern } from '@faultline/core/privacy'
import { compileAction, createHasher, REMOVE, type CompiledAction } from './actions'
import { createKeyValueDetector, isCardNumberValue, isFhirResource, patternDetector, textDetectors } from './detectors'
import { itemProfiles, type ItemKind } from './item-kinds'
import { ALWAYS_FILTERED_KEYS, createKeyClassifier, IP_ADDRESS_KEYS, MAX_KEY_LENGTH, type KeyRuleSource, type KeyVerdict } from './key-rules'
import { scrubLogEntry } from './logentry'
import { createTextScrubber, type Counter, type DetectorWithAction } from './text-scrubber'
import { emailValue, ipKeyAction, ipTransform, isEmailIdentity } from './user-fields'

export interface ScrubberConfig {
  /** Rules in the order they apply (custom rules, then the enabled packs). */
  rules: readonly Rule[]
  allowKeys?: readonly string[]
  ipAddresses?: IpHandling
  userEmail?: EmailHandling
  /** The project's hashing secret, for `hash` actions and the user interface. */
  hashKey: string
}

export interface ScrubResult {
  event: Record<string, unknown>
  /** How many values were replaced, hashed or removed: the `scrubbed` metric. */
  scrubbedCount: number
  /** The connection's address as the settings keep it; undefined when removed. */
  clientIp?: string
}

export interface Scrubber {
  /** An error event, transaction or replay event, with the address it came from. */
  scrubEvent(event: Record<string, unknown>, context?: { clientIp?: string }): ScrubResult
  /** Any item kind ingest accepts; arrays (replay recordings) are walked element by element. */
  scrubItem(kind: ItemKind, payload: unknown): { payload: unknown; scrubbedCount: number }
}

/** Beyond this nesting, values are replaced whole: nothing that deep is walked. */
export const MAX_SCRUB_DEPTH = 64
/** The user and log message interfaces under their current and legacy names, as Relay reads them. */
const USER_KEYS = new Set(['user', 'sentry.interfaces.User'])
const LOGENTRY_KEYS = new Set(['logentry', 'message', 'sentry.interfaces.Message', 'sentry.interfaces.LogEntry'])
const KEY_CACHE_LIMIT = 10_000
/** Keys that could hold an identifier the value rules recognise: with a digit, `@`, `%`, `:`, `|` or non-ASCII. */
function keyMayHoldIdentifier(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    if ((c >= 48 && c <= 58) || c === 64 || c === 37 || c === 124 || c > 127) return true
  }
  return false
}

export function scrubberFromSettings(settings: PrivacySettings, hashKey: string): Scrubber {
  return createScrubber({ rules: effectiveRules(settings), allowKeys: settings.allowKeys, ipAddresses: settings.ipAddresses, userEmail: settings.userEmail, hashKey })
}

export function createScrubber(config: ScrubberConfig): Scrubber {
  const ipAddresses = config.ipAddresses ?? 'hash'
  const userEmail = config.userEmail ?? 'hash'
  const hash = createHasher(config.hashKey)
  const actions = new Map<Rule, CompiledAction>(config.rules.map((rule) => [rule, compileAction(rule.id, rule.action, hash)]))
  const keyRules: KeyRuleSource[] = config.rules.flatMap((rule) => (rule.keys ? [{ id: rule.id, keys: rule.keys, action: actions.get(rule)! }] : []))
  const filtered = compileAction('always-filtered', { type: 'replace', with: FILTERED }, hash)
  const ipAction = ipKeyAction(ipAddresses, hash)
  const classifier = createKeyClassifier({
    overriding: [
      { id: 'always-filtered', keys: keyMatch({ exact: [...ALWAYS_FILTERED_KEYS] }), action: filtered },
      { id: 'ip-address-keys', keys: keyMatch({ exact: [...IP_ADDRESS_KEYS] }), action: ipAction },
    ],
    rules: keyRules,
    allowKeys: config.allowKeys ?? [],
  })
  const detectors: DetectorWithAction[] = [{ detect: createKeyValueDetector(classifier), action: filtered }]
  let fhirAction: CompiledAction | undefined
  for (const rule of config.rules) {
    if (!rule.value) continue
    const action = actions.get(rule)!
    if ('detector' in rule.value) {
      detectors.push({ detect: textDetectors[rule.value.detector], action })
      if (rule.value.detector === 'fhir') fhirAction ??= action
    } else {
      const compiled = compileLinearPattern(rule.value.pattern)
      if (!compiled.ok) throw new TypeError(`rule ${rule.id}: ${compiled.reason}`)
      detectors.push({ detect: patternDetector(compiled.regex), action })
    }
  }
  const text = createTextScrubber(detectors)
  const keyNames = new Map<string, string>()

  const scrubKeyName = (key: string, counter: Counter): string => {
    if (!keyMayHoldIdentifier(key)) return key
    let name = keyNames.get(key)
    if (name === undefined) {
      name = text.scrub(key, { count: 0 })
      if (keyNames.size >= KEY_CACHE_LIMIT) keyNames.clear()
      keyNames.set(key, name)
    }
    if (name !== key) counter.count++
    return name
  }

  const walk = (value: unknown, parentKey: string | undefined, depth: number, counter: Counter): unknown => {
    if (typeof value === 'string') return text.scrub(value, counter)
    if (typeof value === 'number') return isCardNumberValue(value) ? count(counter, FILTERED) : value
    if (typeof value !== 'object' || value === null) return value
    if (depth >= MAX_SCRUB_DEPTH) return count(counter, FILTERED)
    if (Array.isArray(value)) {
      const out: unknown[] = new Array(value.length)
      for (let i = 0; i < value.length; i++) out[i] = walkElement(value[i], parentKey, depth + 1, counter)
      return out
    }
    const record = value as Record<string, unknown>
    if (fhirAction && isFhirResource(record)) return reduceFhir(record, fhirAction, depth, counter)
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(record)) putEntry(out, key, record[key], classifier.classify(key, parentKey), depth + 1, counter)
    return out
  }

  /** Puts a key and its scrubbed value into `out`: long keys are data, not names, and are replaced whole with their value. */
  const putEntry = (out: Record<string, unknown>, key: string, value: unknown, verdict: KeyVerdict, depth: number, counter: Counter): void => {
    if (key.length > MAX_KEY_LENGTH) return setUnique(out, key, FILTERED, count(counter, FILTERED))
    const scrubbed = entryValue(value, key, verdict, depth, counter)
    if (scrubbed !== REMOVE) setUnique(out, key, scrubKeyName(key, counter), scrubbed)
  }

  const entryValue = (value: unknown, key: string, verdict: KeyVerdict, depth: number, counter: Counter): unknown => {
    if (verdict === 'allow') return value
    if (verdict === undefined) return walk(value, key, depth, counter)
    if (verdict.keepNumbers && typeof value === 'number') return value
    const masked = verdict.action.value(value)
    if (masked !== value) counter.count++
    return masked
  }

  /** Sentry allows headers, cookies, query strings, tags and extra as `[key, value]` pairs. */
  const walkElement = (element: unknown, parentKey: string | undefined, depth: number, counter: Counter): unknown => {
    if (!Array.isArray(element) || element.length !== 2 || typeof element[0] !== 'string' || depth >= MAX_SCRUB_DEPTH) return walk(element, parentKey, depth, counter)
    const key = element[0]
    if (key.length > MAX_KEY_LENGTH) return [FILTERED, count(counter, FILTERED)]
    const scrubbed = entryValue(element[1], key, classifier.classify(key, parentKey), depth + 1, counter)
    return scrubbed === REMOVE ? [key, null] : [scrubKeyName(key, counter), scrubbed]
  }

  const scrubUser = (user: Record<string, unknown>, counter: Counter): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(user)) {
      const value = user[key]
      const lower = key.toLowerCase()
      if (lower === 'ip_address') putChanged(out, key, value, ipAction.value(value), counter)
      else if (isEmailIdentity(lower, value)) putChanged(out, key, value, emailValue(userEmail, hash, lower as 'email', value), counter)
      else putEntry(out, key, value, classifier.classify(key, 'user'), 2, counter)
    }
    return out
  }

  const logEntryContext = { text, classifier, walk: (value: unknown, key: string, counter: Counter) => walk(value, key, 2, counter) }
  const transformClientIp = ipTransform(ipAddresses, hash)

  const scrubTopLevel = (kind: ItemKind, payload: Record<string, unknown>, counter: Counter): Record<string, unknown> => {
    const profile = itemProfiles[kind]
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(payload)) {
      const value = payload[key]
      if (profile.structural.has(key)) setUnique(out, key, key, value)
      else if (profile.hasUser && USER_KEYS.has(key) && isRecord(value)) setUnique(out, key, key, scrubUser(value, counter))
      else if (LOGENTRY_KEYS.has(key) && isRecord(value)) setUnique(out, key, key, scrubLogEntry(value, logEntryContext, counter))
      else putEntry(out, key, value, classifier.classify(key, undefined), 1, counter)
    }
    return out
  }

  return {
    scrubEvent(event, context = {}) {
      const counter: Counter = { count: 0 }
      if (!isRecord(event)) return { event: {}, scrubbedCount: 0 }
      const out = scrubTopLevel('event', event, counter)
      const clientIp = context.clientIp === undefined ? undefined : transformClientIp(context.clientIp)
      return { event: out, scrubbedCount: counter.count, clientIp }
    },
    scrubItem(kind, payload) {
      const counter: Counter = { count: 0 }
      const out = isRecord(payload) ? scrubTopLevel(kind, payload, counter) : walk(payload, undefined, 0, counter)
      return { payload: out, scrubbedCount: counter.count }
    },
  }
}

/** Keys and `resourceType` stay; every other scalar of the resource goes through the rule's action. */
function reduceFhir(value: unknown, action: CompiledAction, depth: number, counter: Counter): unknown {
  if (depth >= MAX_SCRUB_DEPTH) return count(counter, FILTERED)
  if (Array.isArray(value)) return value.map((element) => reduceFhir(element, action, depth + 1, counter))
  if (isRecord(value)) {
    const out: Record<string, unknown> = {}
    for (const [key, child] of Object.entries(value)) {
      const reduced = key === 'resourceType' && typeof child === 'string' ? child : reduceFhir(child, action, depth + 1, counter)
      if (reduced !== REMOVE) setUnique(out, key, key, reduced)
    }
    return out
  }
  const masked = action.value(value)
  if (masked !== value) counter.count++
  return masked
}

/** Puts the value a user-field rule made of `before`, counting a change; REMOVE leaves the key out. */
function putChanged(out: Record<string, unknown>, key: string, before: unknown, after: unknown, counter: Counter): void {
  if (after !== before) counter.count++
  if (after !== REMOVE) setUnique(out, key, key, after)
}

function count(counter: Counter, replacement: string): string {
  counter.count++
  return replacement
}

function keyMatch(match: { exact: string[] }) {
  return { ...match, keepNumbers: false, inText: true, valueShape: 'token' as const }
}

/**
 * Assigns without invoking the `__proto__` setter (a key parsed from JSON may be named so); a key
 * renamed by scrubbing that collides with another gets a numbered suffix rather than replacing it.
 */
function setUnique(target: Record<string, unknown>, original: string, name: string, value: unknown): void {
  let key = name
  if (name !== original) for (let n = 2; Object.prototype.hasOwnProperty.call(target, key); n++) key = `${name} (${n})`
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
