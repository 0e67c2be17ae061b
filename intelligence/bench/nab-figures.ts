/**
 * The anomaly scorer (detector statistics through the shipped ONNX combiner, and the contextual
 * novelty) on NAB, as rows of a bench table: the official scorer's three profiles on all 35
 * files, on the development split the statistics, the onsets and the combiner were chosen on
 * (even-indexed files of each category, sorted), and on the odd-indexed files, beside the
 * reference detectors. The novelty's settings were chosen on all 35 files after a
 * cross-validation (nab-tune.ts), so no split is fully held out from them. NAB scores the first detection in each window and charges every flagged
 * point outside one, so the series go in as each point's `onset` (its score when it starts or
 * tops an incident, 0 while the incident goes on); the plain `score` is reported beside it.
 */
import { SeriesScorer, loadAnomalyCombiner, type AnomalyCombiner } from '../src/anomaly'
import { loadNab, nabProfiles, nabReferenceScores, nabScorerAvailable, scoreWithNab, type NabScores, type NabSeries } from './nab'

export type BenchRow = [area: string, metric: string, value: string, baseline: string, data: string]

export const fmt = (n: number, digits = 3): string => (Number.isFinite(n) ? n.toFixed(digits) : '—')

/** The development (even-indexed per category) and held-out (odd-indexed) halves of NAB. */
export function nabSplits(series: readonly NabSeries[]): { development: Set<string>; heldOut: Set<string> } {
  const byCategory = new Map<string, string[]>()
  for (const s of series) byCategory.set(s.category, [...(byCategory.get(s.category) ?? []), s.key])
  const development = new Set([...byCategory.values()].flatMap((keys) => keys.filter((_, i) => i % 2 === 0)))
  return { development, heldOut: new Set(series.map((s) => s.key).filter((key) => !development.has(key))) }
}

/** Every series of NAB through a fresh scorer (one model batch per series): each point's onset and score. */
export async function detectNab(series: readonly NabSeries[], combiner: AnomalyCombiner): Promise<{ onsets: Map<string, Float64Array>; scores: Map<string, Float64Array>; microsPerPoint: number }> {
  const onsets = new Map<string, Float64Array>()
  const scores = new Map<string, Float64Array>()
  let points = 0
  const started = process.cpuUsage()
  for (const s of series) {
    const scored = await new SeriesScorer(combiner).push(s.times.map((t, i) => ({ t, v: s.values[i]! })))
    onsets.set(s.key, Float64Array.from(scored, (p) => p.onset))
    scores.set(s.key, Float64Array.from(scored, (p) => p.score))
    points += s.times.length
  }
  const used = process.cpuUsage(started)
  return { onsets, scores, microsPerPoint: (used.user + used.system) / points }
}

export async function nabRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  const row = (metric: string, value: string, baseline = '', data = 'nab (real)'): void => {
    rows.push(['anomaly', metric, value, baseline, data])
  }
  const nab = loadNab()
  const scorer = nabScorerAvailable()
  if (!nab.ok) return [['anomaly', 'NAB scores', `absent: ${nab.reason}`, '', '']]
  if (!scorer.ok) return [['anomaly', 'NAB scores', `absent: ${scorer.reason}`, '', '']]
  const { root, series } = nab.value
  const combiner = await loadAnomalyCombiner()
  const { onsets, scores, microsPerPoint } = await detectNab(series, combiner)
  const { development, heldOut } = nabSplits(series)
  const references = nabReferenceScores(root)
  const best = Object.entries(references).filter(([name]) => name !== 'null').sort((a, b) => b[1].standard - a[1].standard)
  const reference = (profile: keyof NabScores): string => best.map(([name, r]) => `${fmt(r[profile], 1)} ${name}`).join(', ')
  const runs = [
    ['all 35 files', onsets, undefined],
    [`odd files (${heldOut.size}; statistics and combiner not tuned on them, novelty settings chosen on all files)`, onsets, heldOut],
    [`even files (${development.size}; statistics and combiner tuned on them)`, onsets, development],
    ['all 35 files, plain score instead of onset', scores, undefined],
  ] as const
  for (const [label, values, only] of runs) {
    const result = scoreWithNab(root, 'faultline', series, values, only)
    if (!result.ok) {
      row(`NAB ${label}`, `absent: ${result.reason}`)
      continue
    }
    for (const profile of nabProfiles) {
      const target = profile === 'standard' && label === 'all 35 files' ? ' (target ≥ 60, above the best reference)' : ''
      row(`NAB ${profile} ${label}${target}`, fmt(result.value[profile], 1), only ? '' : reference(profile))
    }
  }
  row('scorer cost (µs CPU per point: detector and ONNX combiner, a batch per series)', fmt(microsPerPoint, 2), '', `${series.reduce((n, s) => n + s.times.length, 0)} NAB points, ${combiner.version}`)
  return rows
}

/** Prints rows as an aligned table. */
export function printTable(rows: readonly BenchRow[]): void {
  const headings = ['area', 'metric', 'value', 'baseline', 'data']
  const widths = headings.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)))
  const line = (cells: readonly string[]): string => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()
  console.log(line(headings))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const r of rows) console.log(line(r))
}
