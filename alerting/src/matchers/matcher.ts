/**
 * Label matchers with Alertmanager's syntax and semantics: `name="value"`, `name!="value"`,
 * `name=~"regex"`, `name!~"regex"`. Regexes are anchored at both ends, as in Alertmanager, and
 * refused when they could backtrack catastrophically. A missing label reads as the empty string.
 */
import { z } from 'zod'
import { checkRegexSafety } from './regex-safety'

export type Labels = Record<string, string>

export const MatchTypes = { equal: '=', notEqual: '!=', regex: '=~', notRegex: '!~' } as const
export type MatchType = (typeof MatchTypes)[keyof typeof MatchTypes]

export interface Matcher {
  name: string
  type: MatchType
  value: string
  /** The anchored expression of `=~` and `!~`. */
  regex?: RegExp
}

const labelName = /^[A-Za-z_][A-Za-z0-9_]*$/
const syntax = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^"\s,{}]*))\s*$/

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string }

export function parseMatcher(text: string): ParseResult<Matcher> {
  const m = syntax.exec(text)
  if (!m) return { ok: false, reason: `"${text}" is not a matcher like name="value", name!="value", name=~"regex" or name!~"regex"` }
  const [, name, op, quoted, bare] = m
  const value = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '')
  return makeMatcher(name!, op as MatchType, value)
}

export function makeMatcher(name: string, type: MatchType, value: string): ParseResult<Matcher> {
  if (!labelName.test(name)) return { ok: false, reason: `"${name}" is not a label name (letters, digits and _, not starting with a digit)` }
  if (type === MatchTypes.regex || type === MatchTypes.notRegex) {
    const verdict = checkRegexSafety(value)
    if (!verdict.ok) return { ok: false, reason: `regex of ${name}${type}"${value}": ${verdict.reason}` }
    return { ok: true, value: { name, type, value, regex: new RegExp(`^(?:${value})$`, 'u') } }
  }
  return { ok: true, value: { name, type, value } }
}

export function matches(matcher: Matcher, labels: Labels): boolean {
  const actual = labels[matcher.name] ?? ''
  switch (matcher.type) {
    case MatchTypes.equal:
      return actual === matcher.value
    case MatchTypes.notEqual:
      return actual !== matcher.value
    case MatchTypes.regex:
      return matcher.regex!.test(actual)
    case MatchTypes.notRegex:
      return !matcher.regex!.test(actual)
  }
}

export const matchesAll = (matchers: readonly Matcher[], labels: Labels): boolean => matchers.every((m) => matches(m, labels))

export function formatMatcher(matcher: Matcher): string {
  return `${matcher.name}${matcher.type}${JSON.stringify(matcher.value)}`
}

/** A matcher in configuration: its text form, parsed and checked at the edge. */
export const matcherSchema = z.string().max(2_000).transform((text, ctx) => {
  const parsed = parseMatcher(text)
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.reason })
    return z.NEVER
  }
  return parsed.value
})
