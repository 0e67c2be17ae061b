import type { KeyVerdict } from './sensitive-keys'

/**
 * Value rules: secrets and PII found inside any string, whatever its key. Each rule replaces only
 * the sensitive part with `[Filtered]` and keeps the rest of the string.
 *
 * Every pattern is linear in the input: no nested or overlapping quantifiers, bounded repetition,
 * and a lookbehind anchoring each match at the start of a run, so a hostile 100 KB string costs
 * one pass per rule rather than one pass per starting position.
 */

export const FILTERED = '[Filtered]'

export interface StringScrubOptions {
  scrubEmails: boolean
  classifyKey: (key: string) => KeyVerdict
}

export interface Counter {
  count: number
}

const CARD = /(?<![0-9A-Za-z])[2-6]\d{3}(?:[ -]?\d){9,15}(?![0-9A-Za-z])/g
const SSN = /(?<![0-9-])(?!000|666|9)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![0-9-])/g
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/g
const AWS_ACCESS_KEY = /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g
const URL_PASSWORD = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^\s/?#@:]{0,256}:)([^\s/?#@]{1,256})@/g
const BEARER = /(?<![A-Za-z])(bearer\s+)([A-Za-z0-9._~+/-]{16,4096}=*)/gi
const BASIC = /(?<![A-Za-z])(basic\s+)([A-Za-z0-9+/]{4,4096}={0,2})(?![A-Za-z0-9+/=])/gi
/** A key and its separator: `password=`, `token: `, `"api_key": `, `user[password]=`. */
const KEY_SEPARATOR = /(?<![A-Za-z0-9_.[\]-])([A-Za-z0-9_.[\]-]{1,128})(["']?[ \t]*[:=][ \t]*)/g
const AUTH_SCHEME = /^(?:bearer|basic|digest|token|negotiate|ntlm|sentry|dsn)[ \t]+/i
const PRIVATE_KEY_LABEL = /^-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/
const DIGIT_RUN = /\d{3}/

/** Applies every value rule to `text`, counting replacements. */
export function scrubString(text: string, options: StringScrubOptions, counter: Counter): string {
  if (text.length < 4) return text
  let out = text
  if (out.includes('-----BEGIN ')) out = scrubPrivateKeys(out, counter)
  if (out.includes('://')) out = scrubUrlPasswords(out, counter)
  if (out.includes('=') || out.includes(':')) out = scrubKeyValuePairs(out, options.classifyKey, counter)
  out = out.replace(BEARER, (match, scheme: string, token: string) => (/\d/.test(token) && token !== FILTERED ? count(counter, scheme + FILTERED) : match))
  out = out.replace(BASIC, (match, scheme: string, token: string) => (isBasicCredential(token) ? count(counter, scheme + FILTERED) : match))
  out = out.replace(AWS_ACCESS_KEY, () => count(counter, FILTERED))
  if (DIGIT_RUN.test(out)) {
    out = out.replace(CARD, (match) => (isCardNumber(match) ? count(counter, FILTERED) : match))
    if (out.includes('-')) out = out.replace(SSN, () => count(counter, FILTERED))
  }
  if (options.scrubEmails && out.includes('@')) out = out.replace(EMAIL, () => count(counter, FILTERED))
  return out
}

/** A number that is a payment card number: 13–19 digits, a card-network first digit, valid Luhn. */
export function isCardNumber(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, '')
  if (digits.length < 13 || digits.length > 19) return false
  const first = digits.charCodeAt(0) - 48
  if (first < 2 || first > 6) return false
  return luhn(digits)
}

export function luhn(digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return false
    if (double) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
    double = !double
  }
  return sum % 10 === 0
}

/** `Basic` followed by base64 of `user:password`; plain prose ("basic usage") does not decode to that. */
function isBasicCredential(token: string): boolean {
  if (token.length % 4 !== 0) return false
  const decoded = Buffer.from(token, 'base64').toString('latin1')
  return decoded.includes(':') && /^[\x20-\x7e]+$/.test(decoded)
}

function scrubKeyValuePairs(text: string, classifyKey: (key: string) => KeyVerdict, counter: Counter): string {
  let out = ''
  let copied = 0
  KEY_SEPARATOR.lastIndex = 0
  for (let match = KEY_SEPARATOR.exec(text); match !== null; match = KEY_SEPARATOR.exec(text)) {
    const afterSeparator = match.index + match[0].length
    const verdict = classifyKey(match[1] as string)
    if (verdict !== 'sensitive' && verdict !== 'token-count') continue
    const value = valueSpan(text, afterSeparator)
    if (value.end > value.start && text.slice(value.start, value.end) !== FILTERED) {
      out += text.slice(copied, value.start) + FILTERED
      copied = value.end
      counter.count++
    }
    KEY_SEPARATOR.lastIndex = Math.max(value.end, afterSeparator)
  }
  return copied === 0 ? text : out + text.slice(copied)
}

/**
 * Where the value after a key separator starts and ends: a quoted string (escapes honoured,
 * stopping at a line end), or an unquoted run up to a delimiter of query strings, form bodies,
 * headers and logs. An auth scheme (`Bearer `) stays visible; only the credential is masked.
 */
function valueSpan(text: string, start: number): { start: number; end: number } {
  const quote = text[start]
  if (quote === '"' || quote === "'") {
    let i = start + 1
    while (i < text.length && text[i] !== quote && text[i] !== '\n') i += text[i] === '\\' && quote === '"' ? 2 : 1
    return { start: start + 1, end: Math.min(i, text.length) }
  }
  const scheme = AUTH_SCHEME.exec(text.slice(start, start + 20))
  const from = scheme === null ? start : start + scheme[0].length
  // Already masked: `]` would otherwise end the value inside the marker.
  if (text.startsWith(FILTERED, from)) return { start: from, end: from + FILTERED.length }
  let i = from
  while (i < text.length && !isValueDelimiter(text.charCodeAt(i))) i++
  return { start: from, end: i }
}

function isValueDelimiter(c: number): boolean {
  // whitespace & # ; , " ' < > ) ] }
  return c <= 0x20 || c === 0x26 || c === 0x23 || c === 0x3b || c === 0x2c || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e || c === 0x29 || c === 0x5d || c === 0x7d
}

/**
 * PEM private key blocks, found with indexOf rather than a lazy regex: a regex would rescan to the
 * end of the string for every BEGIN marker lacking its END. A block without END is masked to the
 * end of the string, as a truncated key is still a key.
 */
function scrubPrivateKeys(text: string, counter: Counter): string {
  let out = ''
  let copied = 0
  let from = 0
  for (let begin = text.indexOf('-----BEGIN ', from); begin >= 0; begin = text.indexOf('-----BEGIN ', from)) {
    const label = PRIVATE_KEY_LABEL.exec(text.slice(begin, begin + 80))
    if (label === null) {
      from = begin + 11
      continue
    }
    const endMarker = text.indexOf('-----END ', begin + label[0].length)
    const closing = endMarker < 0 ? -1 : text.indexOf('-----', endMarker + 9)
    const end = closing < 0 ? text.length : closing + 5
    out += text.slice(copied, begin) + FILTERED
    counter.count++
    copied = from = end
  }
  return copied === 0 ? text : out + text.slice(copied)
}

/** `scheme://user:secret@host` → `scheme://user:[Filtered]@host`. */
function scrubUrlPasswords(text: string, counter: Counter): string {
  return text.replace(URL_PASSWORD, (match, before: string, secret: string) => (secret === FILTERED ? match : count(counter, `${before}${FILTERED}@`)))
}

function count(counter: Counter, replacement: string): string {
  counter.count++
  return replacement
}
