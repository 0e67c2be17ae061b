/**
 * How the detector's NAB-relevant settings were chosen, reproducibly: each candidate is scored on
 * the development split only (even-indexed files of each category), with the TypeScript port of
 * NAB's scorer (nab-sweep.ts), which is first checked against the official results of the
 * reference detectors. The held-out split is never printed here; `npm run bench -- nab` reports it.
 * Usage: npm run bench:nab-tune -w intelligence
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SeriesScorer, defaultDetectorOptions, defaultOnsetOptions, loadAnomalyCombiner, scoreThreshold, type ScorerOptions } from '../src/anomaly'
import { parseCsv } from './eval-data'
import { loadNab, nabProfiles, nabReferenceScores } from './nab'
import { nabSplits } from './nab-figures'
import { sweepNab } from './nab-sweep'

const nab = loadNab()
if (!nab.ok) throw new Error(nab.reason)
const { root, series } = nab.value

const references = nabReferenceScores(root)
for (const name of Object.keys(references).filter((n) => n !== 'null')) {
  const scores = new Map(
    series.map((s) => {
      const [category, file] = s.key.split('/') as [string, string]
      const rows = parseCsv(readFileSync(join(root, 'results', name, category, `${name}_${file}`), 'utf8')).slice(1).filter((r) => r.length >= 3)
      return [s.key, rows.map((r) => Number(r[2]))]
    }),
  )
  const ported = sweepNab(series, scores).scores
  const off = nabProfiles.filter((p) => Math.abs(ported[p] - references[name]![p]) > 1e-6)
  if (off.length > 0) throw new Error(`the scorer port disagrees with NAB's official ${name} results on ${off.join(', ')}`)
}
console.log(`scorer port matches the official results of ${Object.keys(references).length - 1} reference detectors`)

const development = series.filter((s) => nabSplits(series).development.has(s.key))
const combiner = await loadAnomalyCombiner()
const score = async (options: Partial<ScorerOptions>, onset = true): Promise<string> => {
  const values = new Map<string, Float64Array>()
  for (const s of development) {
    const scored = await new SeriesScorer(combiner, options).push(s.times.map((t, i) => ({ t, v: s.values[i]! })))
    values.set(s.key, Float64Array.from(scored, (p) => (onset ? p.onset : p.score)))
  }
  const swept = sweepNab(development, values).scores
  return nabProfiles.map((p) => swept[p].toFixed(1)).join(' / ')
}

const candidates: Array<[string, Partial<ScorerOptions>, boolean?]> = [
  ['first pass (no slow shift, tail 2 %, plain score)', { slowShiftPoints: 0, calibration: { tailShare: 0.02 } }, false],
  ['first pass, onset', { slowShiftPoints: 0, calibration: { tailShare: 0.02 } }],
  ['defaults, plain score', {}, false],
  ['defaults', {}],
  ...[0, 50, 200, 400].map((n): [string, Partial<ScorerOptions>] => [`onsetPoints ${n}`, { onsetPoints: n }]),
  ...[0, 25, 100, 150].map((n): [string, Partial<ScorerOptions>] => [`refractoryPoints ${n}`, { refractoryPoints: n }]),
  ...(['medium', 'low'] as const).map((s): [string, Partial<ScorerOptions>] => [`alarmScore at ${s} sensitivity`, { alarmScore: scoreThreshold(s) }]),
  ...[0, 96, 120, 168, 192, 240, 288].map((n): [string, Partial<ScorerOptions>] => [`slowShiftPoints ${n}`, { slowShiftPoints: n }]),
  ...[3, 4, 8, 12].map((n): [string, Partial<ScorerOptions>] => [`shiftPoints ${n}`, { shiftPoints: n }]),
  ...[0.02, 0.1].map((a): [string, Partial<ScorerOptions>] => [`levelAlpha ${a}`, { levelAlpha: a }]),
  ...[0.01, 0.04].map((a): [string, Partial<ScorerOptions>] => [`stepAlpha ${a}`, { stepAlpha: a }]),
  ...[0.005, 0.0075, 0.015, 0.02].map((share): [string, Partial<ScorerOptions>] => [`tailShare ${share}`, { calibration: { tailShare: share } }]),
  ...[1000, 3000, 5000].map((h): [string, Partial<ScorerOptions>] => [`halfLife ${h}`, { calibration: { halfLife: h } }]),
]
console.log(`defaults: ${JSON.stringify({ ...defaultDetectorOptions, ...defaultOnsetOptions })}, combiner ${combiner.version} (scripts/train-anomaly.ts)`)
console.log(`development split, ${development.length} files: standard / reward_low_FP_rate / reward_low_FN_rate`)
for (const [label, options, onset] of candidates) console.log(`${label.padEnd(52)} ${await score(options, onset ?? true)}`)
