import { anomalyFeatureCount, anomalyFeatureNames, seriesFeatures } from '../features/series-features'
import type { DenseModelSpec } from '../onnx/graph-builder'
import { buildDenseModel } from '../onnx/graph-builder'
import { mlpForward, trainBinaryMlp } from '../shared/mlp'
import { createPrng } from '../shared/prng'
import { evaluateDetections } from './evaluation-metrics'
import type { DetectionReport } from './evaluation-metrics'
import { generateAnomalySet } from './evaluation-series'
import type { LabelledSeries } from './evaluation-series'
import { alarmMergeGap, scoreWindows } from './windows'

export interface AnomalyTrainingOptions {
  seed: number
  anomalousSeries: number
  cleanSeries: number
  hidden: number
  epochs: number
  /** Share of normal points kept for training; anomalies are rare and all kept. */
  negativeRate: number
  /** The threshold search keeps false alarms on clean series under this (per series-week). */
  maxFalseAlarmsPerWeek: number
  withoutHistoryShare: number
}

export const defaultAnomalyTraining: AnomalyTrainingOptions = {
  seed: 1001,
  anomalousSeries: 60,
  cleanSeries: 20,
  hidden: 16,
  epochs: 12,
  negativeRate: 0.08,
  maxFalseAlarmsPerWeek: 0.5,
  withoutHistoryShare: 0.3,
}

const seasonalStart = anomalyFeatureNames.indexOf('day_seasonal_z')
const seasonalEnd = anomalyFeatureNames.indexOf('has_week') + 1

export const anomalyModelVersion = 'anomaly-mlp-1'

export interface AnomalyTrainingResult {
  bytes: Uint8Array
  spec: DenseModelSpec
  threshold: number
  metrics: { rows: number; positives: number; finalLoss: number; train: DetectionReport }
}

/** Points just after a labelled window are neither clearly normal nor anomalous: left out. */
const ambiguousTail = 30

function labelOf(series: LabelledSeries, i: number): 0 | 1 | undefined {
  for (const w of series.windows) {
    if (i >= w.start && i < w.end) return 1
    if (i >= w.end && i < w.end + ambiguousTail) return undefined
  }
  return 0
}

/** Trains the anomaly MLP on a generated labelled set and picks its alarm threshold. */
export function trainAnomalyModel(options: Partial<AnomalyTrainingOptions> = {}): AnomalyTrainingResult {
  const o = { ...defaultAnomalyTraining, ...options }
  const set = generateAnomalySet(o.seed, { anomalous: o.anomalousSeries, clean: o.cleanSeries })
  const all = [...set.anomalous, ...set.clean]
  const features = all.map((series) => seriesFeatures(series.values))
  const sampler = createPrng(o.seed + 1)
  const rows: number[] = []
  const labels: number[] = []
  all.forEach((series, s) => {
    for (let i = series.evaluateFrom; i < series.values.length; i++) {
      const label = labelOf(series, i)
      if (label === undefined || (label === 0 && !sampler.chance(o.negativeRate))) continue
      rows.push(s, i)
      labels.push(label)
    }
  })
  const count = labels.length
  const x = new Float32Array(count * anomalyFeatureCount)
  for (let k = 0; k < count; k++) {
    const source = features[rows[2 * k]!]!
    const offset = rows[2 * k + 1]! * anomalyFeatureCount
    x.set(source.subarray(offset, offset + anomalyFeatureCount), k * anomalyFeatureCount)
    // New series have no day or week of history: a share of rows is shown without it, so the
    // model does not lean on seasonal features it will often lack.
    if (sampler.chance(o.withoutHistoryShare)) x.fill(0, k * anomalyFeatureCount + seasonalStart, k * anomalyFeatureCount + seasonalEnd)
  }
  const y = Float32Array.from(labels)
  const positives = labels.filter((l) => l === 1).length
  const trained = trainBinaryMlp(x, y, count, anomalyFeatureCount, {
    hidden: o.hidden, epochs: o.epochs, batchSize: 128, learningRate: 0.005, seed: o.seed + 2, positiveWeight: 1, l2: 1e-4,
  })

  const scores = all.map((series, s) => mlpForward(trained, features[s]!, series.values.length))
  const evaluateAt = (threshold: number): DetectionReport => {
    const runs = all.map((series, s) => ({ series, alarms: scoreWindows(scores[s]!, threshold, alarmMergeGap, series.evaluateFrom) }))
    return evaluateDetections(runs.slice(0, set.anomalous.length), runs.slice(set.anomalous.length))
  }
  // Scores saturate near 1 for clear anomalies, so the grid is finer at the top.
  const grid = [...Array.from({ length: 45 }, (_, i) => 0.5 + i * 0.01), ...Array.from({ length: 49 }, (_, i) => 0.95 + i * 0.001), ...Array.from({ length: 10 }, (_, i) => 0.999 + i * 0.0001)]
  let threshold = 0.9999
  let best = evaluateAt(threshold)
  for (const t of grid) {
    const report = evaluateAt(t)
    if (report.falseAlarmsPerSeriesWeek <= o.maxFalseAlarmsPerWeek && report.f1 > best.f1) {
      best = report
      threshold = Math.round(t * 10000) / 10000
    }
  }

  const spec: DenseModelSpec = {
    name: 'anomaly',
    version: anomalyModelVersion,
    inputName: 'features',
    outputName: 'score',
    standardize: trained.standardize,
    layers: trained.layers,
    metadata: { threshold: String(threshold), features: anomalyFeatureNames.join(','), seed: String(o.seed) },
  }
  return { bytes: buildDenseModel(spec), spec, threshold, metrics: { rows: count, positives, finalLoss: trained.finalLoss, train: best } }
}
