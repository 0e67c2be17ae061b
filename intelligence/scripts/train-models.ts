/**
 * Trains Faultline's default model (the signature embedding) from a generated corpus with a fixed
 * seed and writes it, with a manifest of its version, seed and training metrics, to
 * intelligence/models/. Anomaly scores need no trained model (src/anomaly/series-detector.ts).
 * Usage: npm run models:train [-- --out <dir>]
 */
import { createHash } from 'node:crypto'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { modelsDirectory } from '../src/shared/model-paths'
import { defaultEmbeddingTraining, trainEmbeddingModel } from '../src/similarity'

const outIndex = process.argv.indexOf('--out')
const out = outIndex > 0 && process.argv[outIndex + 1] ? process.argv[outIndex + 1]! : modelsDirectory

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

// Write then rename: a processor watching the file never reads half a model.
async function writeAtomically(path: string, bytes: Uint8Array | string): Promise<void> {
  await writeFile(`${path}.tmp`, bytes)
  await rename(`${path}.tmp`, path)
}

await mkdir(out, { recursive: true })
const started = performance.now()
const embedding = trainEmbeddingModel()
const embeddingSeconds = (performance.now() - started) / 1000

await writeAtomically(join(out, 'embedding.onnx'), embedding.bytes)
const manifest = {
  generatedBy: 'intelligence/scripts/train-models.ts',
  models: {
    embedding: {
      file: 'embedding.onnx',
      version: embedding.spec.version,
      sha256: sha256(embedding.bytes),
      seed: defaultEmbeddingTraining.seed,
      options: defaultEmbeddingTraining,
      trainingSeconds: Math.round(embeddingSeconds * 10) / 10,
      metrics: embedding.metrics,
    },
  },
}
await writeAtomically(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
console.log(`embedding.onnx ${embedding.bytes.length} bytes  triplet loss ${embedding.metrics.finalLoss.toFixed(3)}  (${embeddingSeconds.toFixed(1)} s)`)
console.log(`written to ${out}`)
