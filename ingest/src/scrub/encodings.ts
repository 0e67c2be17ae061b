/**
 * Other spellings of the same text, so an identifier cannot pass by being percent-encoded,
 * base64-encoded, written in full-width or other non-ASCII digits, or split by invisible
 * characters. Each function is one linear pass; callers only keep a decoded form when the rules
 * found something in it.
 */

const PERCENT = /%[0-9A-Fa-f]{2}/
const PERCENT_RUNS = /(?:%[0-9A-Fa-f]{2})+/g

export function hasPercentEncoding(text: string): boolean {
  return PERCENT.test(text)
}

/** Decodes `%XX` runs (as UTF-8, else byte by byte) and `+` as a space, never throwing on malformed input. */
export function percentDecode(text: string): string {
  return text.replaceAll('+', ' ').replace(PERCENT_RUNS, (run) => {
    try {
      return decodeURIComponent(run)
    } catch {
      let out = ''
      for (let i = 0; i < run.length; i += 3) out += String.fromCharCode(parseInt(run.slice(i + 1, i + 3), 16))
      return out
    }
  })
}

// Runs of the base64 alphabets (standard and URL-safe) long enough to hide an identifier.
const BASE64_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])/g
const UPPER = /[A-Z]/
const LOWER = /[a-z]/

export interface Base64Run {
  start: number
  end: number
  decoded: string
}

/**
 * Runs that decode to readable text. Hex ids, hashes and words do not: a run must mix upper and
 * lower case letters and decode to valid UTF-8 that is nearly all printable.
 */
export function findBase64Text(text: string): Base64Run[] {
  const runs: Base64Run[] = []
  BASE64_RUN.lastIndex = 0
  for (let match = BASE64_RUN.exec(text); match !== null; match = BASE64_RUN.exec(text)) {
    const run = match[0]
    if (run.length % 4 === 1 || !UPPER.test(run) || !LOWER.test(run)) continue
    // Identifiers (`PaymentDeclinedError`) show on their first bytes that the run cannot be
    // readable text: when those alone exceed the share of unprintable bytes allowed, it is skipped.
    if (unprintable(Buffer.from(run.slice(0, 12), 'base64')) > run.length * 0.75 * MAX_UNPRINTABLE) continue
    const decoded = decodeReadable(Buffer.from(run, 'base64'))
    if (decoded !== undefined) runs.push({ start: match.index, end: match.index + run.length, decoded })
  }
  return runs
}

/** Share of bytes that may be neither printable ASCII, whitespace nor UTF-8. */
const MAX_UNPRINTABLE = 0.05

function unprintable(bytes: Buffer): number {
  let count = 0
  for (const byte of bytes) if (!((byte >= 0x20 && byte < 0x7f) || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte >= 0x80)) count++
  return count
}

function decodeReadable(bytes: Buffer): string | undefined {
  if (bytes.length < 8 || unprintable(bytes) > bytes.length * MAX_UNPRINTABLE) return undefined
  const text = bytes.toString('utf8')
  // U+FFFD marks bytes that were not UTF-8: binary data, not text.
  return text.includes('\ufffd') ? undefined : text
}

const FORMAT_CHARS = /[\p{Cf}]/gu
const SPACES = /[\p{Zs}]/gu
const DASHES = /[\p{Pd}\u2212]/gu
const DIGITS = /(?![0-9])\p{Nd}/gu

/**
 * Compatibility form with ASCII digits, dashes and spaces and without invisible characters:
 * `１２３‐４５‐６７８９`, `١٢٣-٤٥-٦٧٨٩` and `123\u200b-45-6789` all become `123-45-6789`.
 */
export function foldToAscii(text: string): string {
  return text
    .normalize('NFKC')
    .replace(FORMAT_CHARS, '')
    .replace(SPACES, ' ')
    .replace(DASHES, '-')
    .replace(DIGITS, (digit) => String(digitValue(digit)))
}

const DIGIT = /\p{Nd}/u

/**
 * Unicode decimal digits come in blocks of ten consecutive code points from zero to nine, some
 * blocks adjacent to each other: a digit's value is how far it is from the start of its run.
 */
function digitValue(digit: string): number {
  const code = digit.codePointAt(0)!
  let before = 0
  while (before < 60 && DIGIT.test(String.fromCodePoint(code - before - 1))) before++
  return before % 10
}
