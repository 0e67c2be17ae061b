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

export function textFeatures(text: string): TextFeatures {
  const f: TextFeatures = { digits: 0, digitRun: 0, base64Run: 0, upper: false, lower: false, nonAscii: false, at: false, pipe: false, percent: false, plus: false, equals: false, colons: 0, dots: 0, dashes: 0 }
  let digitRun = 0
  let base64Run = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      f.digits++
      if (++digitRun > f.digitRun) f.digitRun = digitRun
      base64Run++
    } else {
      digitRun = 0
      if (c >= 97 && c <= 122) {
        f.lower = true
        base64Run++
      } else if (c >= 65 && c <= 90) {
        f.upper = true
        base64Run++
      } else {
        base64Run = c === 43 || c === 47 || c === 95 || c === 45 ? base64Run + 1 : 0
        if (c === 45) f.dashes++
        else if (c === 46) f.dots++
        else if (c === 58) f.colons++
        else if (c === 64) f.at = true
        else if (c === 61) f.equals = true
        else if (c === 124) f.pipe = true
        else if (c === 37) f.percent = true
        else if (c === 43) f.plus = true
        else if (c > 127) f.nonAscii = true
      }
    }
    if (base64Run > f.base64Run) f.base64Run = base64Run
  }
  return f
}
