/**
 * Key rules applied inside strings: `password=…`, `token: …`, `"api_key": "…"`, `user[password]=…`
 * (query strings, form bodies, JSON text, logs, headers), and values after a rule's labels in
 * prose (`login with password Tr0ub4dor&3xyz failed`, `MRN 12345678`, `Patient Jane Doe`).
 */
import { FILTERED } from '@faultline/core/privacy'
import type { CompiledKeyRule, KeyClassifier } from '../key-rules'
import type { SpanSink, TextDetector } from './span'

const AUTH_SCHEME = /^(?:bearer|basic|digest|token|negotiate|ntlm|sentry|dsn)[ \t]+/i
/** A printf placeholder is where a logentry param goes, not a value (issue 8, item 9). */
const PLACEHOLDER = /^%(?:\([^)]{1,64}\))?[-+ #0]*\d*(?:\.\d+)?[sdifoOjxXeEgGcru]/

export function createKeyValueDetector(classifier: KeyClassifier): TextDetector {
  const labels = compileLabels(classifier.labelled)
  return (text, push, features) => {
    if (features.equals || features.colons > 0) findAssignments(text, classifier, push)
    if (labels && text.length >= 6) findLabelledValues(text, labels, push)
  }
}

/**
 * `key=value`, `key: value`, `"key": "value"`, `user[password]=value`: from each `:` and `=`, back
 * over spaces and an optional closing quote to a key of 1–128 characters `[A-Za-z0-9_.[\]-]`
 * that starts the run. A scan rather than a regex with a lookbehind: this runs on every string.
 */
function findAssignments(text: string, classifier: KeyClassifier, push: SpanSink): void {
  let from = 0
  let colon = text.indexOf(':')
  let equals = text.indexOf('=')
  while (colon >= 0 || equals >= 0) {
    const separator = colon < 0 ? equals : equals < 0 ? colon : Math.min(colon, equals)
    const value = assignmentAt(text, separator, from, classifier, push)
    from = Math.max(from, value, separator + 1)
    if (colon >= 0 && colon < from) colon = text.indexOf(':', from)
    if (equals >= 0 && equals < from) equals = text.indexOf('=', from)
  }
}

/** Masks the value of the assignment whose separator is at `separator`; returns where scanning goes on. */
function assignmentAt(text: string, separator: number, from: number, classifier: KeyClassifier, push: SpanSink): number {
  let i = separator - 1
  while (i >= from && (text[i] === ' ' || text[i] === '\t')) i--
  if (i >= from && (text[i] === '"' || text[i] === "'")) i--
  const keyEnd = i + 1
  while (i >= from && keyEnd - i <= MAX_TEXT_KEY && isKeyChar(text.charCodeAt(i))) i--
  const keyStart = i + 1
  if (keyStart === keyEnd || keyEnd - keyStart > MAX_TEXT_KEY || (keyStart > 0 && isKeyChar(text.charCodeAt(keyStart - 1)))) return separator + 1
  const rule = classifier.classifyInText(text.slice(keyStart, keyEnd))
  if (rule === undefined) return separator + 1
  let after = separator + 1
  while (text[after] === ' ' || text[after] === '\t') after++
  const value = assignedValue(text, after, rule.valueShape)
  if (value.end > value.start) push(value.start, value.end, rule.action)
  return Math.max(value.end, after)
}

const MAX_TEXT_KEY = 128

/** `[A-Za-z0-9_.[\]-]`: the characters of a key written in text. */
function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 91 || c === 93 || c === 45
}

interface Labels {
  regex: RegExp
  rules: Map<string, CompiledKeyRule>
}

const normalizeLabel = (label: string) => label.toLowerCase().replace(/[^a-z0-9]/g, '')

function compileLabels(labelled: KeyClassifier['labelled']): Labels | undefined {
  const rules = new Map<string, CompiledKeyRule>()
  for (const { rule, labels } of labelled) for (const label of labels) if (!rules.has(normalizeLabel(label))) rules.set(normalizeLabel(label), rule)
  if (rules.size === 0) return undefined
  const phrases = labelled
    .flatMap(({ labels }) => labels)
    .sort((a, b) => b.length - a.length)
    .map((label) => label.split(/[ _-]+/).map(escapeRegex).join('[ _-]?'))
  // Word boundaries rather than lookarounds: V8 scans `\b` alternations several times faster.
  return { regex: new RegExp(`\\b(?:${phrases.join('|')})\\b`, 'gi'), rules }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

const SEPARATOR_AFTER_LABEL = /["']?[ \t]*[:=#][ \t]*/y
/** `the password is hunter2`: a prose separator, after which the value must look like a secret. */
const PROSE_SEPARATOR = /[ \t]+(?:(?:is|was)[ \t]+)?/y

function findLabelledValues(text: string, labels: Labels, push: SpanSink): void {
  labels.regex.lastIndex = 0
  for (let match = labels.regex.exec(text); match !== null; match = labels.regex.exec(text)) {
    const rule = labels.rules.get(normalizeLabel(match[0]))
    if (rule === undefined) continue
    const after = match.index + match[0].length
    SEPARATOR_AFTER_LABEL.lastIndex = after
    if (SEPARATOR_AFTER_LABEL.test(text)) {
      const value = withoutSentenceEnd(text, assignedValue(text, SEPARATOR_AFTER_LABEL.lastIndex, rule.valueShape))
      if (value.end > value.start) push(value.start, value.end, rule.action)
      labels.regex.lastIndex = Math.max(labels.regex.lastIndex, value.end)
      continue
    }
    PROSE_SEPARATOR.lastIndex = after
    if (!PROSE_SEPARATOR.test(text)) continue
    const value = rule.valueShape === 'name' ? nameSpan(text, PROSE_SEPARATOR.lastIndex, true) : proseToken(text, PROSE_SEPARATOR.lastIndex)
    if (value.end > value.start) {
      push(value.start, value.end, rule.action)
      labels.regex.lastIndex = Math.max(labels.regex.lastIndex, value.end)
    }
  }
}

interface Span {
  start: number
  end: number
}
const none = (at: number): Span => ({ start: at, end: at })

/**
 * The value after a key separator: a quoted string (escapes honoured, stopping at a line end), or
 * an unquoted run. An auth scheme (`Bearer `) stays visible. Unquoted values end at whitespace or
 * a closing quote or bracket; `&`, `;` and `,` end them only before a space or where another
 * `name=` follows (query strings, cookies, lists), so `Tr0ub4dor&3xyz` and `ab#cd;ef` are masked
 * whole (issue 12, item 7).
 */
function assignedValue(text: string, start: number, shape: 'token' | 'name'): Span {
  const quote = text[start]
  if (quote === '"' || quote === "'") {
    let i = start + 1
    while (i < text.length && text[i] !== quote && text[i] !== '\n') i += text[i] === '\\' && quote === '"' ? 2 : 1
    return isPlainValue(text, start + 1) ? { start: start + 1, end: Math.min(i, text.length) } : none(start)
  }
  const scheme = AUTH_SCHEME.exec(text.slice(start, start + 20))
  const from = scheme === null ? start : start + scheme[0].length
  if (!isPlainValue(text, from)) return none(from)
  if (shape === 'name') return nameSpan(text, from, false)
  let i = from
  while (i < text.length && !endsUnquotedValue(text, i)) i++
  return { start: from, end: i }
}

/** Not already masked, and not a printf placeholder. */
function isPlainValue(text: string, at: number): boolean {
  return !text.startsWith(FILTERED, at) && !PLACEHOLDER.test(text.slice(at, at + 80))
}

function endsUnquotedValue(text: string, i: number): boolean {
  const c = text.charCodeAt(i)
  // whitespace " ' < > ) ] }
  if (c <= 0x20 || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e || c === 0x29 || c === 0x5d || c === 0x7d) return true
  // & ; , followed by another name=, or ending the value before a space
  if (c === 0x26 || c === 0x3b || c === 0x2c) return i + 1 >= text.length || text.charCodeAt(i + 1) <= 0x20 || nextIsAssignment(text, i + 1)
  return false
}

function nextIsAssignment(text: string, from: number): boolean {
  let i = from
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++
  const nameStart = i
  while (i < text.length && i - nameStart <= 64 && isNameChar(text.charCodeAt(i))) i++
  return i > nameStart && text[i] === '='
}

/** A key character or `%`, as in (percent-encoded) query-string and cookie names. */
const isNameChar = (c: number) => isKeyChar(c) || c === 37

/** In prose, `password is hunter2.` ends a sentence: the full stop is not part of the value. */
function withoutSentenceEnd(text: string, value: Span): Span {
  if (text[value.start - 1] === '"' || text[value.start - 1] === "'") return value
  let end = value.end
  while (end > value.start && '.,;:!?'.includes(text[end - 1]!)) end--
  return { start: value.start, end }
}

const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/
const HAS_DIGIT = /\d/
const HAS_SYMBOL = /[^A-Za-z0-9]/
const MIXED_CASE = /[a-z].*[A-Z]|[A-Z].*[a-z]/

/**
 * A value in prose is taken only when it looks like a secret or an identifier: four or more
 * characters with a digit, or eight or more mixing case and symbols. `password reset failed` and
 * `token expired` keep their words.
 */
function proseToken(text: string, start: number): Span {
  if (!isPlainValue(text, start)) return none(start)
  let end = start
  while (end < text.length && end - start < 512 && text.charCodeAt(end) > 0x20) end++
  const token = text.slice(start, end).replace(TRAILING_PUNCTUATION, '')
  const looksSecret = ((token.length >= 4 && HAS_DIGIT.test(token)) || (token.length >= 8 && HAS_SYMBOL.test(token) && MIXED_CASE.test(token)))
  return looksSecret ? { start, end: start + token.length } : none(start)
}

const NAME_WORD = /[\p{Lu}][\p{L}'’.-]{0,40}/uy
const ANY_WORD = /[\p{L}][\p{L}'’.-]{0,40}/uy

/**
 * A person's name: up to four words, each capitalised after the first (`Jane Doe`, `Doe, Jane`,
 * `Mary-Jane O'Brien`). In prose the first word must be capitalised too.
 */
function nameSpan(text: string, start: number, capitalisedFirst: boolean): Span {
  const first = capitalisedFirst ? NAME_WORD : ANY_WORD
  first.lastIndex = start
  if (!first.test(text)) return none(start)
  let end = first.lastIndex
  for (let words = 1; words < 4; words++) {
    let next = end
    if (text[next] === ',') next++
    if (text[next] !== ' ') break
    NAME_WORD.lastIndex = next + 1
    if (!NAME_WORD.test(text)) break
    end = NAME_WORD.lastIndex
  }
  return { start, end }
}
