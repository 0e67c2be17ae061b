/**
 * What a string contains, counted in one pass, so each detector can skip a string that cannot
 * hold what it looks for without running its regex: most strings of an event are short names,
 * paths and words, and a regex call costs more than reading them.
 */
export interface TextFeatures {
  digits: number
  /** Longest run of ASCII digits. */
  digitRun: number
  /** Longest run of base64 characters (letters, digits, + / _ -). */
  base64Run: number
  upper: boolean
  lower: boolean
  nonAscii: boolean
  at: boolean
  pipe: boolean
  percent: boolean
  plus: boolean
  equals: boolean
  colons: number
  dots: number
  dashes: number
}

const OTHER = 0
const DIGIT = 1
const LETTER_LOWER = 2
const LETTER_UPPER = 3
const BASE64_SYMBOL = 4
/** ASCII characters by what they count as, so the loop costs one table read per character. */
const KIND = new Uint8Array(128)
for (let c = 48; c <= 57; c++) KIND[c] = DIGIT
for (let c = 97; c <= 122; c++) KIND[c] = LETTER_LOWER
for (let c = 65; c <= 90; c++) KIND[c] = LETTER_UPPER
for (const c of [43, 47, 95, 45]) KIND[c] = BASE64_SYMBOL

export function textFeatures(text: string): TextFeatures {
  const f: TextFeatures = { digits: 0, digitRun: 0, base64Run: 0, upper: false, lower: false, nonAscii: false, at: false, pipe: false, percent: false, plus: false, equals: false, colons: 0, dots: 0, dashes: 0 }
  let digitRun = 0
  let base64Run = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const kind = c < 128 ? KIND[c]! : OTHER
    if (kind === DIGIT) {
      f.digits++
      if (++digitRun > f.digitRun) f.digitRun = digitRun
    } else digitRun = 0
    if (kind === OTHER) {
      base64Run = 0
      if (c === 46) f.dots++
      else if (c === 58) f.colons++
      else if (c === 64) f.at = true
      else if (c === 61) f.equals = true
      else if (c === 124) f.pipe = true
      else if (c === 37) f.percent = true
      else if (c > 127) f.nonAscii = true
      continue
    }
    if (++base64Run > f.base64Run) f.base64Run = base64Run
    if (kind === LETTER_LOWER) f.lower = true
    else if (kind === LETTER_UPPER) f.upper = true
    else if (c === 45) f.dashes++
    else if (c === 43) f.plus = true
  }
  return f
}
