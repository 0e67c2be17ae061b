/**
 * HL7 v2 messages quoted in error messages, logs or request bodies, reduced to their structure:
 * segment names and field separators stay, field values go (`PID|1||12345^^^MRN||DOE^JANE` →
 * `PID|||||`). The message type (MSH-9) and version (MSH-12) are structure too and stay, as do
 * MSH-1 and MSH-2 (the separator and encoding characters).
 *
 * A message starts at a known segment name and `|` (`MSH|`, `PID|`, ...) anywhere in a line, and
 * continues over the following lines that start with a segment. Segments end at a carriage return
 * or newline, also written as the two characters `\r` or `\n` in logs.
 */
import type { TextFeatures } from '../text-features'
import type { SpanSink } from './span'

const KNOWN_SEGMENTS = [
  'MSH', 'EVN', 'PID', 'PD1', 'PV1', 'PV2', 'NK1', 'OBX', 'OBR', 'ORC', 'NTE', 'IN1', 'IN2', 'IN3', 'GT1', 'AL1', 'DG1', 'PR1', 'MRG', 'SCH', 'RXA',
  'RXE', 'RXO', 'RXR', 'SPM', 'TQ1', 'FT1', 'ACC', 'ROL', 'MSA', 'ERR', 'QRD', 'QPD', 'RCP', 'AIS', 'AIG', 'AIL', 'AIP', 'TXA', 'DB1', 'UB1', 'UB2',
]
/** Where a message starts: a known segment (or a Z-segment) and its field separator. */
const SEGMENT_START = new RegExp(`(?<![A-Za-z0-9])(?:${KNOWN_SEGMENTS.join('|')}|Z[A-Z0-9]{2})\\|`, 'g')
const SEGMENT_NAME = /^[A-Z][A-Z0-9]{2}$/
/** Fields of MSH kept: 2 (encoding characters), 9 (message type), 12 (version), as indexes after `MSH`. */
const KEPT_MSH_FIELDS = new Set([1, 8, 11])

export function findHl7Values(text: string, push: SpanSink, features: TextFeatures): void {
  if (!features.pipe) return
  let inMessage = false
  let lineStart = 0
  // Searched again only once passed, so the text is scanned for it once in all.
  SEGMENT_START.lastIndex = 0
  let next = SEGMENT_START.exec(text)?.index ?? -1
  while (lineStart <= text.length) {
    const line = lineEnd(text, lineStart)
    if (next >= 0 && next < lineStart) {
      SEGMENT_START.lastIndex = lineStart
      next = SEGMENT_START.exec(text)?.index ?? -1
    }
    let start = lineStart
    if (!inMessage && next >= 0 && next < line.end) {
      start = next
      inMessage = true
    }
    const name = text.slice(start, start + 3)
    if (inMessage && text[start + 3] === '|' && SEGMENT_NAME.test(name)) reduceSegment(text, start, line.end, name === 'MSH', push)
    else inMessage = false
    if (line.next < 0) break
    lineStart = line.next
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
