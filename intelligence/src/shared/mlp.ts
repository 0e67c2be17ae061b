import type { DenseLayer } from '../onnx/graph-builder'
import { createPrng } from './prng'

export interface MlpTrainingOptions {
  hidden: number
  epochs: number
  batchSize: number
  learningRate: number
  seed: number
  /** Weight of a positive example's loss (class imbalance). */
  positiveWeight: number
  l2: number
}

export interface TrainedMlp {
  layers: DenseLayer[]
  standardize: { mean: Float32Array; scale: Float32Array }
  finalLoss: number
}

/** Column means and deviations; a constant column gets scale 1 so it passes through. */
export function columnStandardization(x: Float32Array, rows: number, cols: number): { mean: Float32Array; scale: Float32Array } {
  const mean = new Float32Array(cols)
  const scale = new Float32Array(cols)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c]! += x[r * cols + c]!
  for (let c = 0; c < cols; c++) mean[c] = mean[c]! / Math.max(1, rows)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) scale[c]! += (x[r * cols + c]! - mean[c]!) ** 2
  for (let c = 0; c < cols; c++) {
    const std = Math.sqrt(scale[c]! / Math.max(1, rows))
    scale[c] = std > 1e-6 ? std : 1
  }
  return { mean, scale }
}

/**
 * A one-hidden-layer ReLU network with a sigmoid output, trained by mini-batch Adam on weighted
 * binary cross-entropy. Deterministic for a seed: initialization and batch order come from it.
 */
export function trainBinaryMlp(x: Float32Array, y: Float32Array, rows: number, cols: number, options: MlpTrainingOptions): TrainedMlp {
  const r = createPrng(options.seed)
  const h = options.hidden
  const { mean, scale } = columnStandardization(x, rows, cols)
  const xs = new Float64Array(rows * cols)
  for (let i = 0; i < rows * cols; i++) xs[i] = (x[i]! - mean[i % cols]!) / scale[i % cols]!
  // He initialization for the ReLU layer.
  const w1 = Float64Array.from({ length: cols * h }, () => r.normal() * Math.sqrt(2 / cols))
  const b1 = new Float64Array(h)
  const w2 = Float64Array.from({ length: h }, () => r.normal() * Math.sqrt(1 / h))
  const b2 = new Float64Array(1)
  const params = [w1, b1, w2, b2]
  const grads = params.map((p) => new Float64Array(p.length))
  const m = params.map((p) => new Float64Array(p.length))
  const v = params.map((p) => new Float64Array(p.length))
  const [gw1, gb1, gw2, gb2] = grads as [Float64Array, Float64Array, Float64Array, Float64Array]
  const hidden = new Float64Array(h)
  const order = Array.from({ length: rows }, (_, i) => i)
  const beta1 = 0.9
  const beta2 = 0.999
  let step = 0
  let epochLoss = 0
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    r.shuffle(order)
    epochLoss = 0
    for (let startRow = 0; startRow < rows; startRow += options.batchSize) {
      const end = Math.min(rows, startRow + options.batchSize)
      for (const g of grads) g.fill(0)
      let batchWeight = 0
      for (let k = startRow; k < end; k++) {
        const row = order[k]!
        const base = row * cols
        for (let j = 0; j < h; j++) {
          let sum = b1[j]!
          for (let c = 0; c < cols; c++) sum += xs[base + c]! * w1[c * h + j]!
          hidden[j] = sum > 0 ? sum : 0
        }
        let logit = b2[0]!
        for (let j = 0; j < h; j++) logit += hidden[j]! * w2[j]!
        const p = 1 / (1 + Math.exp(-logit))
        const target = y[row]!
        const weight = target > 0.5 ? options.positiveWeight : 1
        batchWeight += weight
        epochLoss += -weight * (target * Math.log(p + 1e-9) + (1 - target) * Math.log(1 - p + 1e-9))
        const dLogit = weight * (p - target)
        gb2[0]! += dLogit
        for (let j = 0; j < h; j++) {
          gw2[j]! += dLogit * hidden[j]!
          if (hidden[j]! <= 0) continue
          const dHidden = dLogit * w2[j]!
          gb1[j]! += dHidden
          for (let c = 0; c < cols; c++) gw1[c * h + j]! += dHidden * xs[base + c]!
        }
      }
      step++
      const correction1 = 1 - beta1 ** step
      const correction2 = 1 - beta2 ** step
      params.forEach((p, index) => {
        const g = grads[index]!
        const mi = m[index]!
        const vi = v[index]!
        const decay = index % 2 === 0 ? options.l2 : 0
        for (let i = 0; i < p.length; i++) {
          const gi = g[i]! / batchWeight + decay * p[i]!
          mi[i] = beta1 * mi[i]! + (1 - beta1) * gi
          vi[i] = beta2 * vi[i]! + (1 - beta2) * gi * gi
          p[i]! -= (options.learningRate * (mi[i]! / correction1)) / (Math.sqrt(vi[i]! / correction2) + 1e-8)
        }
      })
    }
  }
  return {
    layers: [
      { inputSize: cols, outputSize: h, weights: Float32Array.from(w1), bias: Float32Array.from(b1), activation: 'relu' },
      { inputSize: h, outputSize: 1, weights: Float32Array.from(w2), bias: Float32Array.from(b2), activation: 'sigmoid' },
    ],
    standardize: { mean, scale },
    finalLoss: epochLoss / rows,
  }
}

/** The same network evaluated in TypeScript (training-time threshold search, tests). */
export function mlpForward(model: Pick<TrainedMlp, 'layers' | 'standardize'>, x: Float32Array, rows: number): Float32Array {
  const cols = model.layers[0]!.inputSize
  let current = new Float32Array(rows * cols)
  for (let i = 0; i < rows * cols; i++) current[i] = (x[i]! - model.standardize.mean[i % cols]!) / model.standardize.scale[i % cols]!
  let width = cols
  for (const layer of model.layers) {
    const next = new Float32Array(rows * layer.outputSize)
    for (let row = 0; row < rows; row++) {
      for (let j = 0; j < layer.outputSize; j++) {
        let sum = layer.bias ? layer.bias[j]! : 0
        for (let c = 0; c < width; c++) sum += current[row * width + c]! * layer.weights[c * layer.outputSize + j]!
        next[row * layer.outputSize + j] = layer.activation === 'relu' ? Math.max(0, sum) : layer.activation === 'sigmoid' ? 1 / (1 + Math.exp(-sum)) : sum
      }
    }
    current = next
    width = layer.outputSize
  }
  return current
}
