import { anomalyFeatureCount, anomalyFeatureNames, latestFeatures, seriesFeatures } from '../features/series-features'
import type { AnomalyFeatureName, FeatureOptions } from '../features/series-features'
import { loadModel } from '../onnx/model-session'
import type { OnnxModel } from '../onnx/model-session'
import { defaultModelPaths } from '../shared/model-paths'
import { scoreWindows } from './windows'
import type { AnomalyWindow } from './windows'

/** 0 = only the clearest anomalies, 1 = everything unusual; 0.5 is the trained threshold. */
export type Sensitivity = number | 'low' | 'medium' | 'high'
const namedSensitivity = { low: 0.25, medium: 0.5, high: 0.75 } as const

export interface FeatureContribution {
  feature: AnomalyFeatureName
  value: number
  /** How much the score drops when this feature is set to its normal value. */
  contribution: number
}

export interface SeriesScores {
  /** Score 0..1 per point. */
  scores: Float32Array
  /** Row-major [n, F] in `anomalyFeatureNames` order. */
  features: Float32Array
  windows: AnomalyWindow[]
  threshold: number
  modelVersion: string
}

// Context features (history available, count level) are not causes: explanations skip them.
const drivers = anomalyFeatureNames.filter((name) => name !== 'has_day' && name !== 'has_week' && name !== 'log_level')

export class AnomalyScorer {
  readonly model: OnnxModel
  readonly #featureOptions: Partial<FeatureOptions>

  constructor(model: OnnxModel, featureOptions: Partial<FeatureOptions> = {}) {
    this.model = model
    this.#featureOptions = featureOptions
  }

  get modelVersion(): string {
    return this.model.version
  }

  /** The model's trained alarm threshold, moved along the score tail by `sensitivity`. */
  threshold(sensitivity: Sensitivity = 'medium'): number {
    const s = typeof sensitivity === 'number' ? Math.min(1, Math.max(0, sensitivity)) : namedSensitivity[sensitivity]
    const trained = Number(this.model.metadata.threshold ?? '0.5')
    // Scores crowd near 1: scale the tail probability (1 - threshold) tenfold per 0.5 sensitivity.
    return 1 - (1 - trained) * 10 ** ((s - 0.5) * 2)
  }

  /** Scores every point of one series (backtests, charts). */
  async scoreSeries(values: ArrayLike<number>, sensitivity: Sensitivity = 'medium', from = 0): Promise<SeriesScores> {
    const features = seriesFeatures(values, this.#featureOptions)
    const run = await this.model.run(features, values.length)
    const threshold = this.threshold(sensitivity)
    return { scores: run.output, features, windows: scoreWindows(run.output, threshold, undefined, from), threshold, modelVersion: run.version }
  }

  /** Scores the last point of many series in one model run (the once-a-minute job). */
  async scoreLatest(series: ReadonlyArray<ArrayLike<number>>): Promise<{ scores: Float32Array; features: Float32Array; modelVersion: string }> {
    const features = new Float32Array(series.length * anomalyFeatureCount)
    series.forEach((values, index) => latestFeatures(values, this.#featureOptions, features, index * anomalyFeatureCount))
    const run = await this.model.run(features, series.length)
    return { scores: run.output, features, modelVersion: run.version }
  }

  /** The features behind one row's score, by occlusion: each driver reset to 0 (normal). */
  async explain(row: Float32Array, top = 3): Promise<FeatureContribution[]> {
    const batch = new Float32Array((drivers.length + 1) * anomalyFeatureCount)
    batch.set(row, 0)
    drivers.forEach((name, k) => {
      const offset = (k + 1) * anomalyFeatureCount
      batch.set(row, offset)
      batch[offset + anomalyFeatureNames.indexOf(name)] = 0
    })
    const { output } = await this.model.run(batch, drivers.length + 1)
    const full = output[0]!
    return drivers
      .map((feature, k) => ({ feature, value: row[anomalyFeatureNames.indexOf(feature)]!, contribution: full - output[k + 1]! }))
      .filter((c) => c.contribution > 0)
      .sort((a, b) => b.contribution - a.contribution)
      .slice(0, top)
  }
}

/** Loads the anomaly model (the shipped one by default); call `scorer.model.watch()` for hot reload. */
export async function loadAnomalyScorer(path: string = defaultModelPaths.anomaly, featureOptions: Partial<FeatureOptions> = {}): Promise<AnomalyScorer> {
  return new AnomalyScorer(await loadModel(path), featureOptions)
}
