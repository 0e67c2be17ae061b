/**
 * Refuses regular expressions that can backtrack catastrophically, before they reach a matcher.
 * JavaScript's engine backtracks, so `(a+)+$` against "aaaa…b" takes exponential time. The check
 * is structural, after the model of safe-regex: a quantified group may not contain another
 * unbounded quantifier (star height above 1), nor alternatives one of which can match what
 * another matches under a repeat (`(a|a)*`, `(\w|\d)+`); back-references and lookarounds are not
 * accepted at all. It refuses some harmless expressions; it accepts none of the known bombs.
 */

export type RegexVerdict = { ok: true } | { ok: false; reason: string }

export const maxRegexLength = 1_000

interface Scan {
  /** Whether this piece contains an unbounded quantifier. */
  unbounded: boolean
}

export function checkRegexSafety(source: string): RegexVerdict {
  if (source.length > maxRegexLength) return { ok: false, reason: `longer than ${maxRegexLength} characters` }
  try {
    new RegExp(source, 'u')
  } catch (error) {
    return { ok: false, reason: `not a valid regular expression: ${(error as Error).message}` }
  }
  if (/\\[1-9]|\\k</.test(source)) return { ok: false, reason: 'back-references are not allowed' }
  if (/\(\?<?[=!]/.test(source)) return { ok: false, reason: 'lookarounds are not allowed' }
  try {
    scanSequence(source, { i: 0 }, 0)
  } catch (error) {
    if (error instanceof UnsafeRegex) return { ok: false, reason: error.message }
    throw error
  }
  return { ok: true }
}

class UnsafeRegex extends Error {}

/** Scans until `)` or the end; returns what the sequence contains. */
function scanSequence(src: string, pos: { i: number }, depth: number): Scan & { alternatives: string[] } {
  let unbounded = false
  const alternatives: string[] = []
  let altStart = pos.i
  while (pos.i < src.length) {
    const c = src[pos.i]!
    if (c === ')') break
    if (c === '|') {
      alternatives.push(src.slice(altStart, pos.i))
      pos.i++
      altStart = pos.i
      continue
    }
    const atomStart = pos.i
    let inner: Scan & { alternatives: string[] } = { unbounded: false, alternatives: [] }
    if (c === '(') {
      pos.i++
      // Skip a group modifier: (?: (?<name>
      if (src[pos.i] === '?') {
        pos.i++
        if (src[pos.i] === '<') while (pos.i < src.length && src[pos.i] !== '>') pos.i++
        pos.i++
      }
      inner = scanSequence(src, pos, depth + 1)
      pos.i++ // ')'
    } else if (c === '[') {
      pos.i++
      while (pos.i < src.length && src[pos.i] !== ']') pos.i += src[pos.i] === '\\' ? 2 : 1
      pos.i++
    } else if (c === '\\') {
      pos.i += 2
    } else {
      pos.i++
    }
    const quantifier = readQuantifier(src, pos)
    if (quantifier === 'unbounded' || quantifier === 'bounded') {
      // (.*a){20} is as bad as (.*a)*: polynomial of degree 20.
      if (inner.unbounded) {
        throw new UnsafeRegex(`nested unbounded repetition in "${src.slice(atomStart, pos.i)}" can backtrack catastrophically`)
      }
      if (inner.alternatives.length > 1 && quantifier === 'unbounded' && overlapping(inner.alternatives)) {
        throw new UnsafeRegex(`repeated alternatives that can match the same text in "${src.slice(atomStart, pos.i)}" can backtrack catastrophically`)
      }
    }
    unbounded ||= inner.unbounded || quantifier === 'unbounded'
  }
  alternatives.push(src.slice(altStart, pos.i))
  return { unbounded, alternatives }
}

/** `optional`: at most once (`?`, `{0,1}`); `bounded`: a fixed number of repeats above one. */
function readQuantifier(src: string, pos: { i: number }): 'none' | 'optional' | 'bounded' | 'unbounded' {
  const c = src[pos.i]
  let kind: 'none' | 'optional' | 'bounded' | 'unbounded' = 'none'
  if (c === '*' || c === '+') {
    kind = 'unbounded'
    pos.i++
  } else if (c === '?') {
    kind = 'optional'
    pos.i++
  } else if (c === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(pos.i))
    if (match) {
      const most = match[2] === undefined ? Number(match[1]) : match[3] === '' ? Infinity : Number(match[3])
      // A large upper bound is as bad as none.
      kind = most > 100 ? 'unbounded' : most > 1 ? 'bounded' : 'optional'
      pos.i += match[0].length
    }
  }
  if (kind !== 'none' && (src[pos.i] === '?' || src[pos.i] === '+')) pos.i++
  return kind
}

/**
 * Whether two alternatives could match the same first character. Conservative: classes and
 * escapes other than a literal character count as matching anything.
 */
function overlapping(alternatives: string[]): boolean {
  const firsts = alternatives.map(firstChar)
  for (let a = 0; a < firsts.length; a++) {
    for (let b = a + 1; b < firsts.length; b++) {
      if (firsts[a] === null || firsts[b] === null || firsts[a] === firsts[b]) return true
    }
  }
  return false
}

/** The literal first character of an alternative, or null when it may be many. */
function firstChar(alternative: string): string | null {
  const c = alternative[0]
  if (c === undefined) return ''
  if (c === '\\') {
    const next = alternative[1] ?? ''
    return /[A-Za-z0-9]/.test(next) ? null : next
  }
  if (c === '[' || c === '(' || c === '.') return null
  return c
}
