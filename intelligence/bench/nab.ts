/**
 * The Numenta Anomaly Benchmark subset in eval-data/nab: its series, and its official scorer run
 * on a detector's scores. The scorer is NAB's own Python (needs python3 with pandas and
 * simplejson, e.g. Debian's python3-pandas and python3-simplejson); it writes into its folder,
 * so it runs on a temporary copy.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { locate, parseCsv } from './eval-data'

export const nabProfiles = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const
export type NabProfile = (typeof nabProfiles)[number]
export type NabScores = Record<NabProfile, number>

export interface NabSeries {
  /** `category/file.csv`, as the label file names it. */
  key: string
  category: string
  /** Epoch ms (NAB's timestamps are UTC without a zone). */
  times: number[]
  values: number[]
  /** The rows as written, echoed into the result files. */
  rows: string[][]
  windows: Array<[number, number]>
}

export type Loaded<T> = { ok: true; value: T } | { ok: false; reason: string }

const python = '/usr/bin/python3'

const utc = (text: string): number => Date.parse(`${text.replace(' ', 'T')}Z`)

export function loadNab(): Loaded<{ root: string; series: NabSeries[] }> {
  const found = locate('nab', 'labels/combined_windows.json')
  if (!found.ok) return found
  const windows = JSON.parse(readFileSync(join(found.path, 'labels/combined_windows.json'), 'utf8')) as Record<string, string[][]>
  const series = Object.keys(windows)
    .sort()
    .map((key): NabSeries => {
      const rows = parseCsv(readFileSync(join(found.path, 'data', key), 'utf8')).slice(1).filter((r) => r.length >= 2)
      return {
        key,
        category: key.split('/')[0]!,
        times: rows.map((r) => utc(r[0]!)),
        values: rows.map((r) => Number(r[1])),
        rows,
        windows: windows[key]!.map(([start, end]) => [utc(start!.slice(0, 19)), utc(end!.slice(0, 19))]),
      }
    })
  return { ok: true, value: { root: found.path, series } }
}

/** Whether NAB's scorer can run here, and why not. */
export function nabScorerAvailable(): Loaded<string> {
  const probe = spawnSync(python, ['-c', 'import pandas, simplejson'], { encoding: 'utf8' })
  if (probe.error) return { ok: false, reason: `${python} not found (install python3 with pandas and simplejson, e.g. apt-get install python3-pandas python3-simplejson)` }
  if (probe.status !== 0) return { ok: false, reason: `${python} lacks pandas or simplejson (apt-get install python3-pandas python3-simplejson): ${probe.stderr.trim().split('\n').at(-1)}` }
  return { ok: true, value: python }
}

/**
 * Scores a detector with NAB's optimizer, scorer and normalization. `scores` maps each series
 * key to one score in [0, 1] per row. With `only`, the corpus is cut to those series (and the
 * null baseline rescored on them), for a split.
 */
export function scoreWithNab(root: string, detector: string, series: readonly NabSeries[], scores: ReadonlyMap<string, ArrayLike<number>>, only?: ReadonlySet<string>): Loaded<NabScores> {
  if (!/^[A-Za-z0-9]+$/.test(detector)) throw new RangeError('NAB detector names are letters and digits only')
  const work = mkdtempSync(join(tmpdir(), 'fl-nab-'))
  try {
    cpSync(root, join(work, 'nab'), { recursive: true })
    const dir = join(work, 'nab')
    const scored = series.filter((s) => !only || only.has(s.key))
    if (only) {
      const labels = JSON.parse(readFileSync(join(dir, 'labels/combined_windows.json'), 'utf8')) as Record<string, unknown>
      writeFileSync(join(dir, 'labels/combined_windows.json'), JSON.stringify(Object.fromEntries(scored.map((s) => [s.key, labels[s.key]]))))
      // The scorer walks every result file it finds: the other series' go, for every detector.
      const detectors = readdirSync(join(dir, 'results'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)
      for (const s of series) {
        if (only.has(s.key)) continue
        const [category, file] = s.key.split('/') as [string, string]
        rmSync(join(dir, 'data', s.key))
        for (const name of detectors) rmSync(join(dir, 'results', name, category, `${name}_${file}`), { force: true })
      }
    }
    for (const s of scored) {
      const values = scores.get(s.key)
      if (!values || values.length !== s.rows.length) throw new RangeError(`${s.key}: ${values?.length ?? 0} scores for ${s.rows.length} rows`)
      const [category, file] = s.key.split('/') as [string, string]
      mkdirSync(join(dir, 'results', detector, category), { recursive: true })
      const lines = ['timestamp,value,anomaly_score,label']
      s.rows.forEach((row, i) => {
        const t = s.times[i]!
        const label = s.windows.some(([a, b]) => t >= a && t <= b) ? 1 : 0
        lines.push(`${row[0]},${row[1]},${Math.min(1, Math.max(0, values[i]!))},${label}`)
      })
      writeFileSync(join(dir, 'results', detector, category, `${detector}_${file}`), `${lines.join('\n')}\n`)
    }
    const detectors = only ? `null,${detector}` : detector
    const run = spawnSync(python, ['run.py', '-d', detectors, '--optimize', '--score', '--normalize', '--skipConfirmation'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    if (run.status !== 0) return { ok: false, reason: `NAB's scorer failed (${run.status ?? run.signal}): ${run.stderr.trim().split('\n').slice(-3).join(' / ')}` }
    const final = JSON.parse(readFileSync(join(dir, 'results/final_results.json'), 'utf8')) as Record<string, NabScores>
    return { ok: true, value: final[detector]! }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** The reference detectors' normalized scores on this corpus, from its final_results.json. */
export function nabReferenceScores(root: string): Record<string, NabScores> {
  return JSON.parse(readFileSync(join(root, 'results/final_results.json'), 'utf8')) as Record<string, NabScores>
}
