/**
 * The anomaly combiner: a small ONNX model that turns a point's three statistics (the
 * improbabilities, in decades, of the point, shift and slow shift statistics) into one combined
 * improbability in decades, calibrated so that 10^−output is the chance of a point at least this
 * unusual on noise. It is one dense layer: weights trained on the development half of NAB, its
 * scale and offset fitted on generated noise (scripts/train-anomaly.ts). It replaces the fixed
 * union bound (3 × the smallest probability), which it must beat on the development half to ship.
 */
import { Activation, buildDenseModel, loadModel, type OnnxModel } from '../onnx'
import { defaultModelPaths } from '../shared/model-paths'
import type { PointStatistics } from './series-detector'

export const combinerInputs = ['point', 'shift', 'slowShift'] as const

export interface AnomalyCombiner {
  /** The model version, recorded with every score. */
  readonly version: string
  /** The combined improbability in decades of each row (0 for rows not scored). */
  combine(rows: readonly PointStatistics[]): Promise<Float64Array>
}

/** A combiner running `model` (one [batch, 3] input, one [batch, 1] output). */
export function onnxCombiner(model: OnnxModel): AnomalyCombiner {
  return {
    get version() { return model.version },
    async combine(rows) {
      const out = new Float64Array(rows.length)
      const scored = rows.flatMap((row, i) => (row.scored ? [i] : []))
      if (scored.length === 0) return out
      const input = new Float32Array(scored.length * combinerInputs.length)
      scored.forEach((i, r) => input.set(rows[i]!.decades, r * combinerInputs.length))
      const { output } = await model.run(input, scored.length)
      scored.forEach((i, r) => { out[i] = Math.max(0, output[r]!) })
      return out
    },
  }
}

/** The combiner in `path` (the shipped one by default), for one-off use such as the CLI's backtest. */
export async function loadAnomalyCombiner(path: string = defaultModelPaths.anomaly): Promise<AnomalyCombiner> {
  return onnxCombiner(await loadModel(path))
}

export interface CombinerWeights {
  /** Per input of `combinerInputs`. */
  weights: readonly number[]
  bias: number
}

/** The combiner's ONNX bytes: output = weights · decades + bias. */
export function buildCombinerModel(combiner: CombinerWeights, version: string, metadata: Record<string, string> = {}): Uint8Array {
  return buildDenseModel({
    name: 'anomaly-combiner',
    version,
    layers: [{ inputSize: combinerInputs.length, outputSize: 1, weights: Float32Array.from(combiner.weights), bias: Float32Array.of(combiner.bias), activation: Activation.none }],
    metadata: { inputs: combinerInputs.join(','), ...metadata },
  })
}
