export const wildcard = '<*>'
/** A wildcard that keeps its comma separator, so variable extraction still finds the gap. */
export const wildcardComma = '<*>,'

export function isWildcard(token: string): boolean {
  return token === wildcard || token === wildcardComma
}

/** The template token that covers both `a` and `b`. */
export function generalizeToken(a: string, b: string): string {
  if (a === b) return a
  return a.endsWith(',') && b.endsWith(',') ? wildcardComma : wildcard
}

/** A token that is wholly a placeholder (`<*>`, `<int>`, `<uuid>` …) is a variable. */
export function isVariableToken(token: string): boolean {
  return token.length >= 3 && token.charCodeAt(0) === 60 /* < */ && token.charCodeAt(token.length - 1) === 62 /* > */ && token.indexOf('<', 1) === -1
}

// Runs of id-like characters that contain a digit: order ids, hashes, versions the
// parameterizer left alone. ':' and '/' stay outside so `port:5432` keeps `port:`.
const digitRun = /[A-Za-z0-9_.-]*\d[A-Za-z0-9_.-]*/g
const hasDigit = /\d/
// Whitespace separates tokens; so does a comma, which keeps compact JSON and CSV fragments from
// becoming one giant token (the comma stays on the left token).
const separators = /\s+|(?<=,)(?=\S)/

/** Splits masked text into tokens and masks every remaining token part that carries a digit. */
export function tokenizeMasked(masked: string): string[] {
  const raw = masked.trim().split(separators)
  const tokens: string[] = []
  for (const token of raw) {
    if (token === '') continue
    tokens.push(hasDigit.test(token) ? token.replace(digitRun, wildcard) : token)
  }
  return tokens
}

// Only plain words route through the prefix tree; anything with punctuation, quotes or
// placeholders is likely a value (a host, a quoted key, a path) and takes the wildcard branch.
const plainWord = /^[\p{L}_]+[:;!?]?$/u

/** The tree key a token routes by. */
export function routingKey(token: string): string {
  return plainWord.test(token) ? token : wildcard
}

const placeholder = /<[^<>\s]+>/g
const regexSpecial = /[.*+?^${}()|[\]\\]/g

/**
 * A regex that recovers the variable values of a template from an original message. Literal
 * parts are escaped, placeholders become lazy groups, token gaps match any whitespace.
 */
export function templateRegex(tokens: readonly string[]): RegExp {
  const parts = tokens.map((token) => {
    let out = ''
    let last = 0
    for (const match of token.matchAll(placeholder)) {
      out += token.slice(last, match.index).replace(regexSpecial, '\\$&') + '(.+?)'
      last = match.index + match[0].length
    }
    return out + token.slice(last).replace(regexSpecial, '\\$&')
  })
  let source = ''
  for (let i = 0; i < parts.length; i++) {
    // A comma split may have had no whitespace after it; a whitespace split had some.
    if (i > 0) source += tokens[i - 1]!.endsWith(',') ? '\\s*' : '\\s+'
    source += parts[i]
  }
  return new RegExp(`^\\s*${source}\\s*$`, 's')
}
