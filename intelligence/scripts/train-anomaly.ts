/**
 * Trains the anomaly combiner (src/anomaly/combiner.ts): one dense layer over a point's three
 * statistics (improbabilities in decades of the point, shift and slow shift statistics).
 *
 * - Weights: a coordinate search (from the shipped weights, or equal ones without a model) that maximizes NAB's standard score (the
 *   TypeScript port of its scorer, bench/nab-sweep.ts) on the development half of NAB only (the
 *   even-indexed files of each category); the odd files are never read here.
 * - Calibration: the scale and offset that make 10^−output the share of points at least this
 *   unusual on generated noise (Gaussian, Poisson and bursty series, fixed seeds), fitted through
 *   the tail quantiles, so scores keep their meaning (0.25 = 1 in 10,000) on every series.
 *
 * It ships the model only if it beats the fixed union bound it replaces on the development half,
 * and records both figures in models/manifest.json. Needs ../shared/eval-data/nab (or
 * FAULTLINE_EVAL_DATA). Usage: npm run models:train-anomaly -w intelligence [-- --out <dir>]
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SeriesDetector, SeriesScorer, buildCombinerModel, decadesOf, onnxCombiner, type AnomalyCombiner, type CombinerWeights } from '../src/anomaly'
import { loadModelFromBytes } from '../src/onnx'
import { createPrng } from '../src/shared/prng'
import { modelsDirectory } from '../src/shared/model-paths'
import { loadNab } from '../bench/nab'
import { nabSplits } from '../bench/nab-figures'
import { sweepNab } from '../bench/nab-sweep'
import { writeAtomically } from './write-atomically'

export const combinerVersion = 'anomaly-combiner-1'
const seed = 4004
const noisePoints = 20_000
const tailShares = [1e-2, 3e-3, 1e-3, 3e-4]
const searchFactors = [0.5, 0.7, 0.85, 1.2, 1.4, 2]
const searchRounds = 3

const outIndex = process.argv.indexOf('--out')
const out = outIndex > 0 && process.argv[outIndex + 1] ? process.argv[outIndex + 1]! : modelsDirectory

const nab = loadNab()
if (!nab.ok) throw new Error(`the combiner trains on NAB's development half: ${nab.reason}`)
const { development } = nabSplits(nab.value.series)
const devSeries = nab.value.series.filter((s) => development.has(s.key))

/** Each scored point's statistics on generated noise (after warm-up). */
function noiseDecades(): number[][] {
  const r = createPrng(seed)
  const shapes = [() => 50 + 5 * r.normal(), () => r.poisson(3), () => Math.exp(2 * r.normal())]
  return shapes.flatMap((draw) => {
    const detector = new SeriesDetector()
    return Array.from({ length: noisePoints }, (_, i) => detector.push(i * 60_000, draw())).filter((s) => s.scored).map((s) => s.decades)
  })
}

/** Scale and offset for `weights` so that 10^−output is the share of noise points beyond it. */
function calibrate(weights: readonly number[], noise: readonly number[][]): CombinerWeights {
  const combined = Float64Array.from(noise, (d) => weights.reduce((sum, w, k) => sum + w * d[k]!, 0)).sort()
  // Least squares of decades = (y − offset) / scale through the tail quantiles.
  const pairs = tailShares.map((share) => [combined[Math.floor((1 - share) * combined.length)]!, decadesOf(share)] as const)
  const my = pairs.reduce((s, [y]) => s + y, 0) / pairs.length
  const md = pairs.reduce((s, [, d]) => s + d, 0) / pairs.length
  const slope = pairs.reduce((s, [y, d]) => s + (y - my) * (d - md), 0) / pairs.reduce((s, [y]) => s + (y - my) ** 2, 0)
  return { weights: weights.map((w) => w * slope), bias: md - slope * my }
}

/** NAB standard score of the onsets `combiner` gives on the development half. */
async function developmentScore(combiner: AnomalyCombiner): Promise<number> {
  const onsets = new Map<string, Float64Array>()
  for (const s of devSeries) {
    const scored = await new SeriesScorer(combiner).push(s.times.map((t, i) => ({ t, v: s.values[i]! })))
    onsets.set(s.key, Float64Array.from(scored, (p) => p.onset))
  }
  return sweepNab(devSeries, onsets).scores.standard
}

const combinerOf = async (weights: CombinerWeights): Promise<AnomalyCombiner> => onnxCombiner(await loadModelFromBytes(buildCombinerModel(weights, combinerVersion)))

/** The rule the combiner replaces: p = 3 × the smallest of the three probabilities. */
const unionBound: AnomalyCombiner = {
  version: 'union-bound',
  combine: async (rows) => Float64Array.from(rows, (row) => (row.scored ? Math.max(0, Math.max(...row.decades) - Math.log10(3)) : 0)),
}

const manifestPath = join(out, 'manifest.json')
const manifest = JSON.parse(await readFile(manifestPath, 'utf8').catch(() => '{"models":{}}')) as { models: Record<string, unknown> }
// The search starts from the shipped weights when there are some, so a retrain (after a change
// of the detector or the onsets) never ships worse than what it replaces on the development half.
const shippedStart = (manifest.models.anomaly as { search?: { unscaledWeights?: number[] } } | undefined)?.search?.unscaledWeights
const start = shippedStart?.length === 3 ? shippedStart : [1, 1, 1]

const started = performance.now()
const noise = noiseDecades()
const baseline = await developmentScore(unionBound)
let weights = [...start]
let best = await developmentScore(await combinerOf(calibrate(weights, noise)))
const startScore = best
for (let round = 0; round < searchRounds; round++) {
  for (let k = 0; k < weights.length; k++) {
    for (const factor of searchFactors) {
      const candidate = weights.map((w, j) => (j === k ? w * factor : w))
      const score = await developmentScore(await combinerOf(calibrate(candidate, noise)))
      if (score > best) {
        best = score
        weights = candidate
      }
    }
  }
}
const shipped = calibrate(weights, noise)
const seconds = (performance.now() - started) / 1000
console.log(`NAB standard on the development half (${devSeries.length} files, scorer port): union bound ${baseline.toFixed(1)}, combiner ${best.toFixed(1)}`)
if (!(best >= baseline)) {
  console.error('the combiner does not beat the union bound on the development half: nothing written')
  process.exit(1)
}
const bytes = buildCombinerModel(shipped, combinerVersion, { trainedOn: 'NAB development half (even files); calibration on generated noise' })
await writeAtomically(join(out, 'anomaly.onnx'), bytes)
manifest.models.anomaly = {
  file: 'anomaly.onnx',
  generatedBy: 'intelligence/scripts/train-anomaly.ts',
  version: combinerVersion,
  sha256: createHash('sha256').update(bytes).digest('hex'),
  inputs: ['point', 'shift', 'slowShift'],
  weights: shipped.weights,
  bias: shipped.bias,
  seed,
  search: { start, startStandard: startScore, factors: searchFactors, rounds: searchRounds, unscaledWeights: weights },
  calibration: { noise: 'gaussian, poisson(3), lognormal(σ 2)', pointsEach: noisePoints, tailShares },
  choice: { data: `NAB development half, ${devSeries.length} even-indexed files`, standard: { unionBound: baseline, combiner: best } },
  trainingSeconds: Math.round(seconds * 10) / 10,
}
await writeAtomically(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
console.log(`anomaly.onnx (${combinerVersion}): weights ${shipped.weights.map((w) => w.toFixed(4)).join(', ')}, bias ${shipped.bias.toFixed(4)}; ${seconds.toFixed(0)} s; written to ${out}`)
