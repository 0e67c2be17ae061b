/**
 * Where the anomaly scorer wins and loses points on NAB, file by file: at the threshold NAB's
 * standard profile picks over all 35 files (the scorer port, nab-sweep.ts), the false positives
 * outside the windows and, for each window, the weight of its first detection (1 at the window's
 * start, 0 at its end; NAB's scaled sigmoid) or "miss". Each mark says what raised the score:
 * C the combiner's statistics, N the contextual novelty. The start of an error analysis before a
 * detector change. Usage: npx tsx intelligence/bench/nab-errors.ts [--without-novelty]
 */
import { SeriesScorer, loadAnomalyCombiner, scoreOf, type ScoredPoint } from '../src/anomaly'
import { loadNab, type NabSeries } from './nab'
import { nabSplits } from './nab-figures'
import { scaledSigmoid, sweepNab } from './nab-sweep'

const nab = loadNab()
if (!nab.ok) throw new Error(nab.reason)
const { series } = nab.value
const { heldOut } = nabSplits(series)
const combiner = await loadAnomalyCombiner()
const options = process.argv.includes('--without-novelty') ? { noveltyWeight: 0 } : {}

const scored = new Map<string, ScoredPoint[]>()
for (const s of series) scored.set(s.key, await new SeriesScorer(combiner, options).push(s.times.map((t, i) => ({ t, v: s.values[i]! }))))
const onsets = new Map([...scored].map(([key, points]) => [key, Float64Array.from(points, (p) => p.onset)]))
const swept = sweepNab(series, onsets)
const threshold = swept.thresholds.standard

/** C when the combiner's score is the point's score, N when the novelty raised it. */
const driver = (p: ScoredPoint): string => (p.score > scoreOf(p.p) + 1e-12 ? 'N' : 'C')

function fileErrors(s: NabSeries): string {
  const points = scored.get(s.key)!
  const n = s.times.length
  // NAB does not score the probationary period: the first 15 % of a file, at most 750 rows.
  const probation = Math.min(Math.floor(0.15 * n), 750)
  const windows = s.windows.map(([a, b]) => [s.times.indexOf(a), s.times.indexOf(b)] as const)
  const flagged = (i: number): boolean => i >= probation && points[i]!.onset >= threshold
  const falsePositives: string[] = []
  for (let i = probation; i < n; i++) if (flagged(i) && !windows.some(([a, b]) => i >= a && i <= b)) falsePositives.push(`${i}${driver(points[i]!)}`)
  const detections = windows.map(([a, b]) => {
    for (let i = a; i <= b; i++) if (flagged(i)) return `${(scaledSigmoid(-(b - i + 1) / (b - a + 1)) / scaledSigmoid(-1)).toFixed(2)}${driver(points[i]!)}`
    return 'miss'
  })
  return `fp ${falsePositives.length} [${falsePositives.join(' ')}] windows [${detections.join(' ')}]`
}

const profiles = Object.entries(swept.scores).map(([p, v]) => `${p} ${v.toFixed(1)}`).join(', ')
console.log(`all 35 files (scorer port): ${profiles}; standard threshold ${threshold.toFixed(4)}`)
for (const s of series) console.log(`${heldOut.has(s.key) ? 'odd ' : 'even'} ${s.key.padEnd(58)} ${fileErrors(s)}`)
