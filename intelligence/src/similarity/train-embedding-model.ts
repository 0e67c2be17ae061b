import type { DenseModelSpec } from '../onnx/graph-builder'
import { buildDenseModel } from '../onnx/graph-builder'
import { createPrng } from '../shared/prng'
import { generateIssueSet } from './evaluation-issues'
import { hashSignature, signatureDimensions, signatureFeatures } from './signature'

export interface EmbeddingTrainingOptions {
  seed: number
  issuesPerCause: number
  embeddingSize: number
  triplets: number
  learningRate: number
  margin: number
}

export const defaultEmbeddingTraining: EmbeddingTrainingOptions = {
  seed: 3003,
  issuesPerCause: 30,
  embeddingSize: 256,
  triplets: 60_000,
  learningRate: 0.05,
  margin: 0.5,
}

export const embeddingModelVersion = 'embedding-linear-2'
export const hashedEmbeddingVersion = 'embedding-hashed-1'

/**
 * The baseline as a model: the hashed signature itself, L2-normalized, so cosine on its output is
 * hashed cosine. It is shipped instead of the learned projection when that does not beat it on
 * the development half of the real traces (scripts/train-models.ts), through the same loading,
 * versioning and hot swap.
 */
export function hashedEmbeddingModel(): { bytes: Uint8Array; spec: DenseModelSpec } {
  const spec: DenseModelSpec = {
    name: 'embedding',
    version: hashedEmbeddingVersion,
    inputName: 'signature',
    outputName: 'embedding',
    layers: [],
    inputWidth: signatureDimensions,
    l2Normalize: true,
    metadata: { dimensions: String(signatureDimensions) },
  }
  return { bytes: buildDenseModel(spec), spec }
}

export interface EmbeddingTrainingResult {
  bytes: Uint8Array
  spec: DenseModelSpec
  /** Row-major [signatureDimensions, embeddingSize]. */
  weights: Float32Array
  metrics: { issues: number; triplets: number; finalLoss: number; activeTripletShare: number }
}

interface Sparse {
  index: Int32Array
  value: Float64Array
}

function toSparse(dense: Float32Array): Sparse {
  const index: number[] = []
  const value: number[] = []
  dense.forEach((v, i) => {
    if (v !== 0) {
      index.push(i)
      value.push(v)
    }
  })
  return { index: Int32Array.from(index), value: Float64Array.from(value) }
}

function project(w: Float64Array, e: number, x: Sparse, out: Float64Array): number {
  out.fill(0)
  for (let k = 0; k < x.index.length; k++) {
    const row = x.index[k]! * e
    const v = x.value[k]!
    for (let j = 0; j < e; j++) out[j]! += v * w[row + j]!
  }
  let norm = 0
  for (let j = 0; j < e; j++) norm += out[j]! * out[j]!
  return Math.sqrt(norm) + 1e-9
}

/** d cos(u, v) / du for raw (unnormalized) projections. */
function cosineGradient(u: Float64Array, nu: number, v: Float64Array, nv: number, cos: number, out: Float64Array): void {
  for (let j = 0; j < u.length; j++) out[j] = v[j]! / (nu * nv) - (cos * u[j]!) / (nu * nu)
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!
  return s
}

function addOuter(w: Float64Array, e: number, x: Sparse, g: Float64Array, rate: number): void {
  for (let k = 0; k < x.index.length; k++) {
    const row = x.index[k]! * e
    const v = x.value[k]! * rate
    for (let j = 0; j < e; j++) w[row + j]! -= v * g[j]!
  }
}

/**
 * Learns a linear projection of hashed signatures with a triplet objective on cosine similarity:
 * an issue must sit closer to another issue of its cause than to one of a different cause from
 * the same service (the hard negative). Starts from a random projection, so it begins at the
 * hashed-cosine baseline and only moves to separate causes.
 */
export function trainEmbeddingModel(options: Partial<EmbeddingTrainingOptions> = {}): EmbeddingTrainingResult {
  const o = { ...defaultEmbeddingTraining, ...options }
  const r = createPrng(o.seed)
  const issues = generateIssueSet(o.seed, o.issuesPerCause)
  const vectors = issues.map((issue) => toSparse(hashSignature(signatureFeatures(issue.signature))))
  const byCause = new Map<string, number[]>()
  issues.forEach((issue, i) => byCause.set(issue.cause, [...(byCause.get(issue.cause) ?? []), i]))
  const e = o.embeddingSize
  const d = signatureDimensions
  const w = Float64Array.from({ length: d * e }, () => r.normal() / Math.sqrt(e))
  const [u, v, n, gu, gv, gn, tmp] = Array.from({ length: 7 }, () => new Float64Array(e)) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array]
  let lossSum = 0
  let active = 0
  for (let t = 0; t < o.triplets; t++) {
    const a = r.int(0, issues.length - 1)
    const anchor = issues[a]!
    const positives = byCause.get(anchor.cause)!
    const p = r.pick(positives.filter((i) => i !== a))
    // Half the negatives come from the anchor's own service: they share its app frames.
    let q = r.int(0, issues.length - 1)
    for (let tries = 0; tries < 20 && (issues[q]!.cause === anchor.cause || (t % 2 === 0 && issues[q]!.service !== anchor.service)); tries++) q = r.int(0, issues.length - 1)
    if (issues[q]!.cause === anchor.cause) continue
    const nu = project(w, e, vectors[a]!, u)
    const nv = project(w, e, vectors[p]!, v)
    const nn = project(w, e, vectors[q]!, n)
    const cosP = dot(u, v) / (nu * nv)
    const cosN = dot(u, n) / (nu * nn)
    const loss = o.margin - cosP + cosN
    if (loss <= 0) continue
    lossSum += loss
    active++
    const rate = o.learningRate * (1 - t / o.triplets)
    // L = cosN - cosP: gradients for the anchor (both terms), positive and negative.
    cosineGradient(u, nu, n, nn, cosN, gu)
    cosineGradient(u, nu, v, nv, cosP, tmp)
    for (let j = 0; j < e; j++) gu[j] = gu[j]! - tmp[j]!
    cosineGradient(v, nv, u, nu, cosP, gv)
    for (let j = 0; j < e; j++) gv[j] = -gv[j]!
    cosineGradient(n, nn, u, nu, cosN, gn)
    addOuter(w, e, vectors[a]!, gu, rate)
    addOuter(w, e, vectors[p]!, gv, rate)
    addOuter(w, e, vectors[q]!, gn, rate)
  }
  const weights = Float32Array.from(w)
  const spec: DenseModelSpec = {
    name: 'embedding',
    version: embeddingModelVersion,
    inputName: 'signature',
    outputName: 'embedding',
    layers: [{ inputSize: d, outputSize: e, weights, activation: 'none' }],
    l2Normalize: true,
    metadata: { seed: String(o.seed), dimensions: String(d) },
  }
  return {
    bytes: buildDenseModel(spec),
    spec,
    weights,
    metrics: { issues: issues.length, triplets: o.triplets, finalLoss: active === 0 ? 0 : lossSum / active, activeTripletShare: active / o.triplets },
  }
}
