import type { CompiledAction } from '../actions'
import type { TextFeatures } from '../text-features'

/** Reports a part of a string to replace; without an action, the detector's rule's action applies. */
export type SpanSink = (start: number, end: number, action?: CompiledAction) => void

/**
 * A detector finds the spans of its kind in one linear pass over the text. It first checks the
 * text's features and returns at once when the text cannot hold what it looks for.
 */
export type TextDetector = (text: string, push: SpanSink, features: TextFeatures) => void

/**
 * The first match of a global regex from the start of `text`; the next ones come from
 * `regex.exec(text)`. Plain loops rather than `matchAll` or callbacks: detectors run on every
 * string of every event, and an iterator or closure per call costs more than the match.
 */
export function first(regex: RegExp, text: string): RegExpExecArray | null {
  regex.lastIndex = 0
  return regex.exec(text)
}
