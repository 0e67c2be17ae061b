/**
 * HL7 v2 messages quoted in error messages, logs or request bodies, reduced to their structure:
 * segment names and field separators stay, field values go (`PID|1||12345^^^MRN||DOE^JANE` →
 * `PID|||||`). The message type (MSH-9) and version (MSH-12) are structure too and stay, as do
 * MSH-1 and MSH-2 (the separator and encoding characters).
 *
 * A message starts at `MSH|`, or a line starts with a known segment name and `|`. Segments end at
 * a carriage return or newline, also written as the two characters `\r` or `\n` in logs.
 */
import type { TextFeatures } from '../text-features'
import type { SpanSink } from './span'

const KNOWN_SEGMENTS = new Set([
  'MSH', 'EVN', 'PID', 'PD1', 'PV1', 'PV2', 'NK1', 'OBX', 'OBR', 'ORC', 'NTE', 'IN1', 'IN2', 'IN3', 'GT1', 'AL1', 'DG1', 'PR1', 'MRG', 'SCH', 'RXA',
  'RXE', 'RXO', 'RXR', 'SPM', 'TQ1', 'FT1', 'ACC', 'ROL', 'MSA', 'ERR', 'QRD', 'QPD', 'RCP', 'AIS', 'AIG', 'AIL', 'AIP', 'TXA', 'DB1', 'UB1', 'UB2',
])
const SEGMENT_NAME = /^[A-Z][A-Z0-9]{2}$/
/** Fields of MSH kept: 2 (encoding characters), 9 (message type), 12 (version), as indexes after `MSH`. */
const KEPT_MSH_FIELDS = new Set([1, 8, 11])

export function findHl7Values(text: string, push: SpanSink, features: TextFeatures): void {
  if (!features.pipe) return
  let inMessage = false
  let lineStart = 0
  // Searched again only once passed, so the text is scanned for it once in all.
  let msh = text.indexOf('MSH|')
  while (lineStart <= text.length) {
    const { end, next } = lineEnd(text, lineStart)
    let start = lineStart
    if (msh >= 0 && msh < lineStart) msh = text.indexOf('MSH|', lineStart)
    if (!inMessage) {
      if (msh >= 0 && msh < end) {
        start = msh
        inMessage = true
      }
    }
    const name = text.slice(start, start + 3)
    const isSegment = text[start + 3] === '|' && (inMessage ? SEGMENT_NAME.test(name) : KNOWN_SEGMENTS.has(name) || (name[0] === 'Z' && SEGMENT_NAME.test(name)))
    if (isSegment) reduceSegment(text, start, end, name === 'MSH', push)
    else inMessage = false
    if (next < 0) break
    lineStart = next
  }
}

/** Where the line starting at `from` ends, and where the next one starts (-1 at the end of the text). */
function lineEnd(text: string, from: number): { end: number; next: number } {
  for (let i = from; i < text.length; i++) {
    const c = text[i]
    if (c === '\r' || c === '\n') return { end: i, next: c === '\r' && text[i + 1] === '\n' ? i + 2 : i + 1 }
    if (c === '\\' && (text[i + 1] === 'r' || text[i + 1] === 'n')) return { end: i, next: i + 2 }
  }
  return { end: text.length, next: -1 }
}

function reduceSegment(text: string, start: number, end: number, isMsh: boolean, push: SpanSink): void {
  let field = 0
  let valueStart = start + 4
  for (let i = valueStart; i <= end; i++) {
    if (i < end && text[i] !== '|') continue
    field++
    if (i > valueStart && !(isMsh && KEPT_MSH_FIELDS.has(field))) push(valueStart, i)
    valueStart = i + 1
  }
}
