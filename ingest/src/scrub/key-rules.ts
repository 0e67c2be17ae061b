/**
 * Key-name rules compiled into one classifier: which rule, if any, owns the value under a key.
 *
 * A key is compared in four forms: whole (exact), lower case with separators removed (contains:
 * `X-Api-Key` → `xapikey`), split into words (`patientFirstName` → patient, first, name; short
 * names like `ssn`, `auth`, `pin` match as words only, since as substrings they would hit
 * `classname`, `author`, `spinner`), and against globs. Verdicts are cached per key: events
 * repeat the same few hundred names. Keys longer than `MAX_KEY_LENGTH` are never classified;
 * the walker treats them as data.
 */
import type { KeyMatch } from '@faultline/core/privacy'
import type { CompiledAction } from './actions'

export const MAX_KEY_LENGTH = 256

/** Filtered whatever the settings: credentials a browser or proxy attaches to every request. */
export const ALWAYS_FILTERED_KEYS = ['cookie', 'cookies', 'set-cookie', 'authorization', 'proxy-authorization'] as const

/** The keys the IP-address setting governs. */
export const IP_ADDRESS_KEYS = ['ip_address', 'remote_addr', 'x-forwarded-for', 'x-real-ip', 'cf-connecting-ip', 'true-client-ip', 'forwarded', 'x-client-ip', 'client_ip'] as const

export interface CompiledKeyRule {
  readonly id: string
  readonly action: CompiledAction
  readonly keepNumbers: boolean
  readonly inText: boolean
  readonly valueShape: 'token' | 'name'
  readonly exceptUnder: ReadonlySet<string> | undefined
}

export interface KeyRuleSource {
  id: string
  keys: KeyMatch
  action: CompiledAction
}

/** `allow`: listed in the project's allowed keys, the value is kept whole. */
export type KeyVerdict = CompiledKeyRule | 'allow' | undefined

export interface KeyClassifier {
  /** The rule owning the value under `key` inside an object held under `parent`. */
  classify(key: string, parent: string | undefined): KeyVerdict
  /** The rule owning a `key=value` written in text, if it applies in text. */
  classifyInText(key: string): CompiledKeyRule | undefined
  /** Rules with labels that mark their values in prose (`MRN 12345678`). */
  readonly labelled: readonly { rule: CompiledKeyRule; labels: readonly string[] }[]
}

const CACHE_LIMIT = 10_000

export interface KeyClassifierOptions {
  rules: readonly KeyRuleSource[]
  /** Rules checked before the allow list: always-filtered keys and the IP-address keys. */
  overriding: readonly KeyRuleSource[]
  allowKeys: readonly string[]
}

export function createKeyClassifier(options: KeyClassifierOptions): KeyClassifier {
  const overriding = options.overriding.map(compileMatcher)
  const rules = options.rules.map(compileMatcher)
  const allow = new Set(options.allowKeys.map((key) => key.toLowerCase()))
  const cache = new Map<string, readonly CompiledKeyRule[] | 'allow'>()

  const candidates = (key: string): readonly CompiledKeyRule[] | 'allow' => {
    let found = cache.get(key)
    if (found !== undefined) return found
    const forms = keyForms(key)
    const first = overriding.filter((m) => m.matches(forms)).map((m) => m.rule)
    found = first.length === 0 && allow.has(forms.lower) ? 'allow' : [...first, ...rules.filter((m) => m.matches(forms)).map((m) => m.rule)]
    if (cache.size >= CACHE_LIMIT) cache.clear()
    cache.set(key, found)
    return found
  }

  return {
    labelled: [...overriding, ...rules].flatMap((m) => (m.labels ? [{ rule: m.rule, labels: m.labels }] : [])),
    classify(key, parent) {
      if (key.length > MAX_KEY_LENGTH) return undefined
      const found = candidates(key)
      if (found === 'allow') return found
      for (const rule of found) if (parent === undefined || rule.exceptUnder === undefined || !rule.exceptUnder.has(parent.toLowerCase())) return rule
      return undefined
    },
    classifyInText(key) {
      if (key.length > MAX_KEY_LENGTH) return undefined
      const found = candidates(key)
      if (found === 'allow') return undefined
      return found.find((rule) => rule.inText)
    },
  }
}

interface KeyForms {
  lower: string
  compact: string
  words: string[]
}

function keyForms(key: string): KeyForms {
  const lower = key.toLowerCase()
  return { lower, compact: lower.replace(/[^a-z0-9]/g, ''), words: splitWords(key) }
}

function compileMatcher(source: KeyRuleSource): { rule: CompiledKeyRule; labels: readonly string[] | undefined; matches: (forms: KeyForms) => boolean } {
  const { keys } = source
  const exact = new Set((keys.exact ?? []).map((key) => key.toLowerCase()))
  const words = new Set(keys.words ?? [])
  const contains = keys.contains ?? []
  const globs = (keys.glob ?? []).map((glob) => glob.toLowerCase())
  const rule: CompiledKeyRule = {
    id: source.id,
    action: source.action,
    keepNumbers: keys.keepNumbers,
    inText: keys.inText,
    valueShape: keys.valueShape,
    exceptUnder: keys.exceptUnder ? new Set(keys.exceptUnder.map((key) => key.toLowerCase())) : undefined,
  }
  return {
    rule,
    labels: keys.labels,
    matches: (forms) =>
      exact.has(forms.lower) ||
      contains.some((part) => forms.compact.includes(part)) ||
      forms.words.some((word) => words.has(word)) ||
      globs.some((glob) => globMatch(forms.lower, glob)),
  }
}

const isUpper = (c: number) => c >= 65 && c <= 90
const isLower = (c: number) => c >= 97 && c <= 122
const isDigit = (c: number) => c >= 48 && c <= 57

/**
 * `userSSN` → user, ssn; `XMLHttpRequest` → xml, http, request; `X-Auth` → x, auth. One pass
 * over the key: a word ends at a separator, before an upper-case letter that follows a lower-case
 * letter or digit, and before the last capital of a run followed by a lower-case letter.
 */
export function splitWords(key: string): string[] {
  const words: string[] = []
  let start = -1
  for (let i = 0; i <= key.length; i++) {
    const c = i < key.length ? key.charCodeAt(i) : 0
    const wordChar = isUpper(c) || isLower(c) || isDigit(c)
    if (!wordChar) {
      if (start >= 0) words.push(key.slice(start, i).toLowerCase())
      start = -1
      continue
    }
    if (start < 0) {
      start = i
      continue
    }
    if (isUpper(c)) {
      const previous = key.charCodeAt(i - 1)
      if (!isUpper(previous) || isLower(key.charCodeAt(i + 1))) {
        words.push(key.slice(start, i).toLowerCase())
        start = i
      }
    }
  }
  return words
}

/** Glob with `*` and `?`, greedy with one backtrack point: O(key × glob), both bounded. */
export function globMatch(text: string, glob: string): boolean {
  let t = 0
  let g = 0
  let starG = -1
  let starT = 0
  while (t < text.length) {
    if (g < glob.length && (glob[g] === '?' || glob[g] === text[t])) {
      t++
      g++
    } else if (g < glob.length && glob[g] === '*') {
      starG = g++
      starT = t
    } else if (starG >= 0) {
      g = starG + 1
      t = ++starT
    } else return false
  }
  while (g < glob.length && glob[g] === '*') g++
  return g === glob.length
}
