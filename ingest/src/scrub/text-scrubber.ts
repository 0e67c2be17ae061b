/**
 * Applies every value rule to one string in one pass per detector: each detector reports spans,
 * overlapping spans are joined (the earliest rule's action wins), and the string is rebuilt once.
 *
 * The same text is also tried in the spellings that would otherwise slip past the patterns:
 * percent-decoded, folded to ASCII digits and dashes, and base64 runs decoded. A decoded form is
 * kept only when a rule found something in it, so clean text is stored exactly as sent.
 */
import { FILTERED } from '@faultline/core/privacy'
import type { CompiledAction } from './actions'
import type { TextDetector } from './detectors/span'
import { findBase64Text, foldToAscii, hasPercentEncoding, percentDecode } from './encodings'
import { textFeatures, type TextFeatures } from './text-features'

export interface Counter {
  count: number
}

export interface DetectorWithAction {
  detect: TextDetector
  action: CompiledAction
}

export interface TextScrubber {
  scrub(text: string, counter: Counter): string
}

/** Strings shorter than this hide nothing the rules recognise. */
const MIN_LENGTH = 4
/** Decoded forms are tried inside decoded forms this deep (percent inside base64, ...). */
const MAX_DECODE_DEPTH = 3

interface Span {
  start: number
  end: number
  action: CompiledAction
}

const byStartThenLongest = (a: Span, b: Span) => a.start - b.start || b.end - a.end

export function createTextScrubber(detectors: readonly DetectorWithAction[]): TextScrubber {
  // One sink and one span list for every call: detectors run synchronously, and the list is
  // used up before any nested scrub of a decoded spelling starts.
  const spans: Span[] = []
  let current: CompiledAction
  const push = (start: number, end: number, own?: CompiledAction) => {
    if (end > start) spans.push({ start, end, action: own ?? current })
  }

  const applyRules = (text: string, features: TextFeatures, counter: Counter): string => {
    spans.length = 0
    for (const detector of detectors) {
      current = detector.action
      detector.detect(text, push, features)
    }
    if (spans.length === 0) return text
    spans.sort(byStartThenLongest)
    let out = ''
    let copied = 0
    for (let i = 0; i < spans.length; ) {
      const { start, action } = spans[i]!
      let end = spans[i]!.end
      for (i++; i < spans.length && spans[i]!.start < end; i++) end = Math.max(end, spans[i]!.end)
      const original = text.slice(start, end)
      const replacement = action.text(original)
      if (replacement === original) continue
      out += text.slice(copied, start) + replacement
      copied = end
      counter.count++
    }
    return copied === 0 ? text : out + text.slice(copied)
  }

  /** Base64 runs that decode to text with something to scrub are replaced whole. */
  const scrubBase64 = (text: string, counter: Counter, depth: number): string => {
    let out = ''
    let copied = 0
    for (const run of findBase64Text(text)) {
      const inner: Counter = { count: 0 }
      scrub(run.decoded, inner, depth + 1)
      if (inner.count === 0) continue
      out += text.slice(copied, run.start) + FILTERED
      copied = run.end
      counter.count++
    }
    return copied === 0 ? text : out + text.slice(copied)
  }

  /**
   * A decoded spelling wins only when the rules find more in it than in the text as sent, so
   * clean text, and text whose findings show as sent, is stored as it came.
   */
  const scrub = (text: string, counter: Counter, depth: number): string => {
    if (text.length < MIN_LENGTH) return text
    const features = textFeatures(text)
    const before = counter.count
    let out = applyRules(text, features, counter)
    if (depth >= MAX_DECODE_DEPTH) return out
    if (features.percent && hasPercentEncoding(text)) out = betterVariant(percentDecode(text), text, out, counter, before, depth)
    if (features.nonAscii) out = betterVariant(foldToAscii(text), text, out, counter, before, depth)
    // Base64 of readable text mixes cases over a long run; hex ids and words do not.
    return features.base64Run >= 16 && features.upper && features.lower ? scrubBase64(out, counter, depth) : out
  }

  /** The scrubbed variant when the rules find more in it than in what was kept so far (`counter` counts since `before`). */
  const betterVariant = (variant: string, text: string, kept: string, counter: Counter, before: number, depth: number): string => {
    if (variant === text) return kept
    const inVariant: Counter = { count: 0 }
    const scrubbed = scrub(variant, inVariant, depth + 1)
    if (inVariant.count <= counter.count - before) return kept
    counter.count = before + inVariant.count
    return scrubbed
  }

  return { scrub: (text, counter) => scrub(text, counter, 0) }
}
