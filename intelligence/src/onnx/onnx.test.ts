import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ModelError, buildDenseModel, loadModel, loadModelFromBytes, readModelMetadata } from './index'
import { defaultModelPaths } from '../shared/model-paths'
import { hashedEmbeddingModel, trainEmbeddingModel } from '../similarity'

const tiny = (version: string, scale: number): Uint8Array =>
  buildDenseModel({
    name: 'tiny',
    version,
    standardize: { mean: new Float32Array([1, 1]), scale: new Float32Array([2, 2]) },
    layers: [
      { inputSize: 2, outputSize: 3, weights: new Float32Array([1, 0, -1, 0, 1, 1]), bias: new Float32Array([0, 0, 0.5]), activation: 'relu' },
      { inputSize: 3, outputSize: 1, weights: new Float32Array([scale, 0, 0]), activation: 'sigmoid' },
    ],
  })

describe('ONNX graphs written with onnx-proto', () => {
  it('run in onnxruntime with the expected arithmetic', async () => {
    const model = await loadModelFromBytes(tiny('1', 1))
    // x = (3, 5) → standardized (1, 2) → relu(1, 2, 1.5) → sigmoid(1).
    const run = await model.run(new Float32Array([3, 5, 1, 1]), 2)
    expect(run.output[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 5)
    expect(run.output[1]).toBeCloseTo(0.5, 5)
    expect(model.version).toMatch(/^1#[0-9a-f]{8}$/)
    await expect(model.run(new Float32Array(3), 2)).rejects.toBeInstanceOf(ModelError)
    await model.close()
  })

  it('reload swaps in a new file and records the new version', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-onnx-'))
    const path = join(dir, 'm.onnx')
    await writeFile(path, tiny('1', 1))
    const model = await loadModel(path)
    const before = model.version
    expect(await model.reload()).toBe(false)
    await writeFile(path, tiny('2', -1))
    expect(await model.reload()).toBe(true)
    expect(model.version).not.toBe(before)
    expect(model.version.startsWith('2#')).toBe(true)
    const run = await model.run(new Float32Array([3, 5]), 1)
    expect(run.output[0]).toBeCloseTo(1 / (1 + Math.exp(1)), 5)
    expect(run.version).toBe(model.version)
    await model.close()
    await rm(dir, { recursive: true })
  })

  it('fails with ModelError on a file that is not a model', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-onnx-'))
    const path = join(dir, 'bad.onnx')
    await writeFile(path, 'not a model')
    await expect(loadModel(path)).rejects.toMatchObject({ code: 'load_failed' })
    await rm(dir, { recursive: true })
  })
})

describe('shipped models', () => {
  it('the shipped embedding is the one the manifest says was chosen, reproduced bit for bit', async () => {
    const shipped = await readFile(defaultModelPaths.embedding)
    const manifest = JSON.parse(await readFile(defaultModelPaths.manifest, 'utf8'))
    const { precisionAt5 } = manifest.models.embedding.choice
    expect(manifest.models.embedding.shipped).toBe(precisionAt5.learned > precisionAt5.hashed ? 'learned' : 'hashed')
    const rebuilt = manifest.models.embedding.shipped === 'learned' ? trainEmbeddingModel().bytes : hashedEmbeddingModel().bytes
    expect(Buffer.from(rebuilt).equals(shipped)).toBe(true)
  })

  it('the manifest records the shipped files', async () => {
    const manifest = JSON.parse(await readFile(defaultModelPaths.manifest, 'utf8'))
    expect(Object.keys(manifest.models).sort()).toEqual(['anomaly', 'embedding'])
    expect(manifest.models.embedding.seed).toBeTypeOf('number')
  })

  it('the shipped anomaly combiner is the file the manifest describes, and beat the union bound it replaced', async () => {
    const { anomaly } = JSON.parse(await readFile(defaultModelPaths.manifest, 'utf8')).models
    const shipped = await readFile(defaultModelPaths.anomaly)
    expect(createHash('sha256').update(shipped).digest('hex')).toBe(anomaly.sha256)
    expect(readModelMetadata(shipped)).toMatchObject({ name: 'anomaly-combiner', version: anomaly.version, inputs: 'point,shift,slowShift' })
    expect(anomaly.choice.standard.combiner).toBeGreaterThan(anomaly.choice.standard.unionBound)
  })
})
