/**
 * Recall and false-positive rate of each rule pack over its corpus, printed per identifier kind.
 * The bar: every positive is caught, and no negative is changed.
 */
import { describe, expect, it } from 'vitest'
import type { Scrubber } from '../scrubber'
import { defaultPackOnly, scrubberWith } from '../scrub-testing'
import { defaultPositives, healthcarePositives, negatives, type Positive } from './corpus'

export interface CorpusReport {
  missed: Positive[]
  changed: { text: string; became: string }[]
  lines: string[]
}

/** Scrubs every corpus case as an event would carry it and reports what got through or changed. */
export function measureCorpus(scrubber: Scrubber, positives: Positive[]): CorpusReport {
  const missed = positives.filter((p) => JSON.stringify(scrubber.scrubEvent({ extra: { [p.key ?? 'text']: p.text } }).event).includes(p.secret))
  const changed = negatives.flatMap((text) => {
    const became = (scrubber.scrubEvent({ message: text }).event as { message: string }).message
    return became === text ? [] : [{ text, became }]
  })
  const kinds = [...new Set(positives.map((p) => p.kind))]
  const lines = kinds.map((kind) => {
    const all = positives.filter((p) => p.kind === kind)
    const caught = all.length - missed.filter((p) => p.kind === kind).length
    return `  ${kind.padEnd(24)} ${caught}/${all.length}`
  })
  const recall = (positives.length - missed.length) / positives.length
  lines.push(`  recall ${(recall * 100).toFixed(1)}% (${positives.length - missed.length}/${positives.length}), false positives ${((changed.length / negatives.length) * 100).toFixed(1)}% (${changed.length}/${negatives.length} negatives changed)`)
  return { missed, changed, lines }
}

describe.each([
  { pack: 'default', scrubber: scrubberWith(defaultPackOnly), positives: defaultPositives },
  { pack: 'healthcare (with default)', scrubber: scrubberWith(), positives: [...defaultPositives, ...healthcarePositives] },
])('the $pack pack over its corpus', ({ pack, scrubber, positives }) => {
  const report = measureCorpus(scrubber, positives)

  it('catches every positive and changes no negative', () => {
    console.log(`corpus of the ${pack} pack:\n${report.lines.join('\n')}`)
    expect(report.missed.map((p) => `${p.kind}: ${p.key ?? ''} ${p.text}`)).toEqual([])
    expect(report.changed).toEqual([])
  })
})
