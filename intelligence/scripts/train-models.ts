/**
 * Trains Faultline's default model (the signature embedding) from a generated corpus with a fixed
 * seed, compares it with the hashed-cosine baseline on the development half of real traces (the
 * even-indexed causes of Node's own errors, bench/node-traces.ts; the odd half is left to the
 * bench), and writes whichever wins there, with a manifest of the choice, its version, seed and
 * training metrics, to intelligence/models/. The anomaly combiner has its own script
 * (train-anomaly.ts).
 * Usage: npm run models:train [-- --out <dir>]
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { modelsDirectory } from '../src/shared/model-paths'
import { defaultEmbeddingTraining, hashSignature, hashedEmbeddingModel, precisionAtK, signatureDimensions, signatureFeatures, trainEmbeddingModel } from '../src/similarity'
import { nodeTraceIssues } from '../bench/node-traces'
import { writeAtomically } from './write-atomically'

const outIndex = process.argv.indexOf('--out')
const out = outIndex > 0 && process.argv[outIndex + 1] ? process.argv[outIndex + 1]! : modelsDirectory

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')


await mkdir(out, { recursive: true })
const started = performance.now()
const embedding = trainEmbeddingModel()
const embeddingSeconds = (performance.now() - started) / 1000

// Precision@5 of the learned projection and of hashed cosine on the development causes.
const real = nodeTraceIssues()
const causes = [...new Set(real.map((issue) => issue.cause))].sort()
const development = real.filter((issue) => causes.indexOf(issue.cause) % 2 === 0)
const labels = development.map((issue) => issue.cause)
const hashed = new Float32Array(development.length * signatureDimensions)
development.forEach((issue, i) => hashSignature(signatureFeatures(issue.signature), hashed, i * signatureDimensions))
const width = embedding.spec.layers[0]!.outputSize
const learned = new Float32Array(development.length * width)
for (let row = 0; row < development.length; row++) {
  for (let k = 0; k < signatureDimensions; k++) {
    const x = hashed[row * signatureDimensions + k]!
    if (x !== 0) for (let j = 0; j < width; j++) learned[row * width + j]! += x * embedding.weights[k * width + j]!
  }
  const norm = Math.hypot(...learned.subarray(row * width, (row + 1) * width)) || 1
  for (let j = 0; j < width; j++) learned[row * width + j]! /= norm
}
const scores = { learned: precisionAtK(learned, width, labels, 5), hashed: precisionAtK(hashed, signatureDimensions, labels, 5) }
const shipped = scores.learned > scores.hashed ? { kind: 'learned', ...embedding } : { kind: 'hashed', ...hashedEmbeddingModel() }

await writeAtomically(join(out, 'embedding.onnx'), shipped.bytes)
// The other models' entries (the anomaly combiner, scripts/train-anomaly.ts) stay as they are.
const manifestPath = join(out, 'manifest.json')
const previous = JSON.parse(await readFile(manifestPath, 'utf8').catch(() => '{"models":{}}')) as { models: Record<string, unknown> }
const manifest = {
  generatedBy: 'intelligence/scripts/train-models.ts',
  models: {
    ...previous.models,
    embedding: {
      file: 'embedding.onnx',
      shipped: shipped.kind,
      choice: { data: `Node's own errors, ${development.length} issues of the even-indexed causes`, precisionAt5: scores },
      version: shipped.spec.version,
      sha256: sha256(shipped.bytes),
      seed: defaultEmbeddingTraining.seed,
      options: defaultEmbeddingTraining,
      trainingSeconds: Math.round(embeddingSeconds * 10) / 10,
      metrics: embedding.metrics,
    },
  },
}
await writeAtomically(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
console.log(`learned embedding: triplet loss ${embedding.metrics.finalLoss.toFixed(3)} (${embeddingSeconds.toFixed(1)} s); precision@5 on the development causes ${scores.learned.toFixed(3)}, hashed cosine ${scores.hashed.toFixed(3)}`)
console.log(`embedding.onnx: the ${shipped.kind} one (${shipped.spec.version}), ${shipped.bytes.length} bytes`)
console.log(`written to ${out}`)
