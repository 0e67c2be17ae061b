/**
 * Masked message → template tokens, in one pass over the text with no backtracking regexes.
 *
 * After the parameterizer has masked ids, numbers, addresses and times, the text is split on
 * whitespace (and after commas, so compact JSON and CSV do not become one giant token). A token
 * that still carries a digit or a placeholder, a boolean/null literal or a run of 8+ hex digits
 * is a variable: it becomes `<*>`, keeping a `key=`/`key:` prefix and the punctuation around it,
 * so `uid=1000,` reads `uid=<*>,`. Three generic rules then make one value one token however it
 * is written: a unit after a value joins it (`15 ms`, `330.0 B`), a bracketed value right after
 * a value is the same value rendered again (`2717 bytes (2.65 KB)`), and a run of bare values
 * is one value (`an910 an911 … an940`, a list of any length).
 */

export const wildcard = '<*>'

export interface Tokenized {
  /** Tokens to mine: constants verbatim, variables as `<*>` with their key and punctuation. */
  tokens: string[]
  /** The original text of each token (variables' values; constants equal their token). */
  originals: string[]
}

/** Longer messages keep their first tokens and end in one wildcard: cost and patterns stay bounded. */
export const maxTokens = 128
/** Tokens a bracketed annotation may span before its closing bracket. */
const maxAnnotationTokens = 3

// Spelled as languages print them: lower-case "none" is a word ("Failed none for …"), "None" is Python's.
const literals = new Set(['true', 'false', 'True', 'False', 'TRUE', 'FALSE', 'null', 'NULL', 'None', 'nil', 'undefined', 'NaN'])
const units = new Set([
  'b', 'kb', 'mb', 'gb', 'tb', 'kib', 'mib', 'gib', 'tib', 'byte', 'bytes',
  'ns', 'us', 'µs', 'ms', 's', 'sec', 'secs', 'second', 'seconds', 'min', 'mins', 'minute', 'minutes', 'h', 'hr', 'hrs', 'hour', 'hours',
  '%',
])

const isDigit = (c: number): boolean => c >= 48 && c <= 57
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0xfeff
const isOpener = (c: number): boolean => c === 40 || c === 91 || c === 123 || c === 34 || c === 39 // ( [ { " '
const isCloser = (c: number): boolean => c === 41 || c === 93 || c === 125 || c === 34 || c === 39 || c === 44 || c === 59 || c === 58 || c === 46 || c === 33 || c === 63 // ) ] } " ' , ; : . ! ?
const isKeyChar = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46 || isDigit(c)

/** End of the `<name>` placeholder starting at `i` (exclusive), or -1. */
function placeholderEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== 60 /* < */) return -1
  let j = i + 1
  while (j < text.length && text.charCodeAt(j) >= 97 && text.charCodeAt(j) <= 122) j++
  return j > i + 1 && text.charCodeAt(j) === 62 /* > */ ? j + 1 : -1
}

/** Whether the token holds a digit or a `<name>` placeholder. */
function carriesValue(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i)
    if (isDigit(c) || (c === 60 && (placeholderEnd(token, i) > 0 || token.startsWith(wildcard, i)))) return true
  }
  return false
}

/**
 * The parts of a token: `("uid=1000",` is lead `("`, key `uid=`, core `1000`, trail `",`.
 * Offsets, not strings, so classifying a word allocates nothing.
 */
interface Parts {
  /** End of the lead = start of the key. */
  lead: number
  /** End of the key = start of the core. */
  key: number
  /** End of the core = start of the trail. */
  core: number
}

function parts(token: string): Parts {
  let lead = 0
  while (lead < token.length - 1 && isOpener(token.charCodeAt(lead))) lead++
  let core = token.length
  while (core > lead + 1 && isCloser(token.charCodeAt(core - 1))) core--
  let key = lead
  // A key is a name, perhaps quoted, ending in = or : with a value after it (`uid=0`, `ret:true`,
  // `"id":7`), not a URL scheme.
  for (let i = lead; i < core - 1; i++) {
    let c = token.charCodeAt(i)
    if ((c === 34 || c === 39) && i > lead) c = token.charCodeAt(++i)
    if (c === 61 /* = */ || c === 58 /* : */) {
      if (i > lead && i < core - 1 && token.charCodeAt(i + 1) !== 47 /* / */) key = i + 1
      break
    }
    if (!isKeyChar(c)) break
  }
  return { lead, key, core }
}

const core = (token: string, p: Parts): string => token.slice(p.key, p.core)
const variableForm = (token: string, p: Parts): string => `${token.slice(0, p.key)}${wildcard}${token.slice(p.core)}`

/** The template token of one raw token: itself when constant, its variable form otherwise. */
export function classifyToken(token: string): string {
  if (token === wildcard) return token
  if (carriesValue(token)) return variableForm(token, parts(token))
  if (token.length < 3) return token
  const p = parts(token)
  const length = p.core - p.key
  if ((length >= 3 && length <= 9 && literals.has(core(token, p))) || isHexRun(token, p)) return variableForm(token, p)
  return token
}

/** Eight or more hex digits in one case (`ffffffff`): a value even without a decimal digit. */
function isHexRun(token: string, p: Parts): boolean {
  if (p.core - p.key < 8) return false
  let lower = true
  let upper = true
  for (let i = p.key; i < p.core; i++) {
    const c = token.charCodeAt(i)
    if (c >= 97 && c <= 102) upper = false
    else if (c >= 65 && c <= 70) lower = false
    else return false
  }
  return lower || upper
}

/**
 * A constant that names something rather than says something: a path or module (`a/b`), or a
 * name qualified three times over (`android.intent.action.MAIN`). Such tokens differ between
 * messages of one event far more often than words do (see consolidate.ts).
 */
export function isQualifiedName(token: string): boolean {
  let dots = 0
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i)
    if (c === 47 /* / */ || c === 92 /* \ */) return i > 0 && i < token.length - 1
    if (c === 46 /* . */ && i > 0 && i < token.length - 1 && token.charCodeAt(i - 1) !== 46) dots++
  }
  return dots >= 3
}

export function isVariable(token: string): boolean {
  return token.includes(wildcard)
}

/** A token that is nothing but a wildcard with punctuation: `<*>`, `(<*>)`, `<*>,`. */
export function isBareVariable(token: string): boolean {
  if (!token.includes(wildcard)) return false
  const p = parts(token)
  return p.key === p.lead && p.core - p.key === wildcard.length && token.startsWith(wildcard, p.key)
}

function isUnit(raw: string): boolean {
  if (raw.length > 9) return false
  const p = parts(raw)
  return p.lead === 0 && p.key === 0 && units.has(core(raw, p).toLowerCase())
}

/** `(<*>` or `[<*>]` possibly with trailing punctuation: a value in brackets. */
function isBracketedVariable(token: string): boolean {
  const c = token.charCodeAt(0)
  return (c === 40 || c === 91) && isBareVariable(token)
}

/** Index just after the first closing bracket, or -1. */
function afterClose(token: string): number {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i)
    if (c === 41 || c === 93) return i + 1
  }
  return -1
}

/**
 * The original text behind each placeholder of `masked`, in order, found by walking both texts:
 * the literal text between two placeholders must follow in the original, so each value ends
 * where the next literal starts (its first occurrence, as a lazy match would take). Undefined
 * when the texts do not line up (a mask that rewrote more than placeholders).
 */
export function placeholderValues(original: string, masked: string): string[] | undefined {
  const values: string[] = []
  let o = 0
  let literalStart = 0
  let pendingValue = false
  let m = masked.indexOf('<')
  for (;;) {
    let end = -1
    while (m >= 0 && (end = placeholderEnd(masked, m)) < 0) m = masked.indexOf('<', m + 1)
    const last = m < 0
    const literal = masked.slice(literalStart, last ? masked.length : m)
    if (pendingValue) {
      if (literal === '' && !last) return undefined // two placeholders touch: no boundary
      // The last value runs to the final literal, which ends the original.
      const at = last ? (original.endsWith(literal) ? original.length - literal.length : -1) : original.indexOf(literal, o)
      if (at < o) return undefined
      values.push(original.slice(o, at))
      o = at
    } else if (!original.startsWith(literal, o)) return undefined
    o += literal.length
    if (last) return values
    pendingValue = true
    literalStart = end
    m = masked.indexOf('<', end)
  }
}

/** Puts placeholder values back into masked tokens, in order. */
class Restorer {
  #next = 0
  constructor(private readonly values: readonly string[] | undefined) {}

  restore(raw: string): string {
    if (!this.values) return raw
    let at = raw.indexOf('<')
    if (at < 0) return raw
    let out = ''
    let last = 0
    while (at >= 0) {
      const end = placeholderEnd(raw, at)
      if (end < 0) {
        at = raw.indexOf('<', at + 1)
        continue
      }
      out += raw.slice(last, at) + (this.values[this.#next++] ?? raw.slice(at, end))
      last = end
      at = raw.indexOf('<', end)
    }
    return out + raw.slice(last)
  }
}

/**
 * Calls `out` with each token: split on whitespace and after a comma followed by a non-space.
 * Stops when `out` returns false.
 */
function split(text: string, out: (token: string) => boolean): void {
  let start = -1
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (isSpace(c)) {
      if (start >= 0 && !out(text.slice(start, i))) return
      start = -1
    } else {
      if (start < 0) start = i
      if (c === 44 /* , */ && i + 1 < text.length && !isSpace(text.charCodeAt(i + 1))) {
        if (!out(text.slice(start, i + 1))) return
        start = -1
      }
    }
  }
  if (start >= 0) out(text.slice(start))
}

/** Builds the token list, joining the pieces of one value as they arrive. */
class TokenBuilder {
  readonly tokens: string[] = []
  readonly originals: string[] = []
  /** Tokens still owed to an open bracket after a value (`(2.65 KB)`). */
  #annotation = 0
  #truncated = false

  /** Adds a raw token; false once the token cap is reached (the rest is not needed). */
  push(raw: string, original: string): boolean {
    this.#add(raw, original)
    return !this.#truncated
  }

  #add(raw: string, original: string): void {
    const last = this.tokens.length - 1
    if (this.#annotation > 0) {
      this.#annotation--
      this.originals[last] += ` ${original}`
      const close = afterClose(raw)
      if (close >= 0) {
        this.#annotation = 0
        this.#retrail(last, raw.slice(close))
      }
      return
    }
    const token = classifyToken(raw)
    if (last >= 0 && isVariable(this.tokens[last]!)) {
      const previous = this.tokens[last]!
      const previousTrail = previous.slice(previous.lastIndexOf(wildcard) + wildcard.length)
      // A unit after a value is part of it; its punctuation follows the value.
      if (isUnit(raw)) {
        this.originals[last] += ` ${original}`
        this.#retrail(last, raw.slice(parts(raw).core))
        return
      }
      // The value again in brackets right after a value (`2717 bytes (2.65 KB)`, `16 (0x10)`).
      if (previousTrail === '' && isBracketedVariable(token)) {
        this.originals[last] += ` ${original}`
        const close = afterClose(token)
        if (close >= 0) this.#retrail(last, token.slice(close))
        else this.#annotation = maxAnnotationTokens
        return
      }
      // A run of bare values is one value: lists of ids (`1 2 3`, `1,2,3`) and multi-word values.
      if ((previousTrail === '' || previousTrail === ',') && isBareVariable(previous) && isBareVariable(token)) {
        this.originals[last] += ` ${original}`
        this.tokens[last] = previous.slice(0, previous.indexOf(wildcard)) + token.slice(token.indexOf(wildcard))
        return
      }
    }
    if (this.tokens.length === maxTokens) {
      this.tokens[last] = wildcard
      this.originals[last] += ` ${original}`
      this.#truncated = true
      return
    }
    this.tokens.push(token)
    this.originals.push(original)
  }

  /** Gives the variable token at `index` a new trailing punctuation. */
  #retrail(index: number, trail: string): void {
    const token = this.tokens[index]!
    this.tokens[index] = token.slice(0, token.lastIndexOf(wildcard) + wildcard.length) + trail
  }
}

/**
 * Tokenizes masked text; `values` are the placeholders' original texts in order (see
 * `placeholderValues`), put back into each token's original. Without them originals are the
 * masked tokens.
 */
export function tokenize(masked: string, values?: readonly string[]): Tokenized {
  const builder = new TokenBuilder()
  const restorer = new Restorer(values)
  split(masked, (raw) => builder.push(raw, restorer.restore(raw)))
  return { tokens: builder.tokens, originals: builder.originals }
}
