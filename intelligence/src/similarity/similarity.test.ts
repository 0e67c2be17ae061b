import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { loadModelFromBytes } from '../onnx'
import { defaultModelPaths } from '../shared/model-paths'
import { SignatureEmbedder, clusterEmbeddings, generateIssueSet, hashSignature, hashedEmbeddingModel, loadSignatureEmbedder, precisionAtK, signatureDimensions, signatureFeatures, similarIssues, trainEmbeddingModel } from './index'
import type { ErrorSignature } from './index'

const pg = (type: string, service: string): ErrorSignature => ({
  exceptionType: type,
  message: 'connect ECONNREFUSED <ip>:5432',
  frames: [
    { module: 'pg/lib/client', function: 'connect', filename: 'node_modules/pg/lib/client.js', inApp: false },
    { module: `${service}/src/db`, function: 'query', filename: 'src/db.ts', inApp: true },
  ],
})

describe('similar issues with the embedding models', () => {
  it('embeds to unit vectors and explains a match by shared features', async () => {
    const embedder = await loadSignatureEmbedder()
    const set = await embedder.embed([
      { id: 'a', signature: pg('ConnectionRefusedError', 'checkout') },
      { id: 'b', signature: pg('SequelizeConnectionError', 'billing') },
      { id: 'c', signature: { exceptionType: 'TokenExpiredError', message: 'jwt expired at <date>', frames: [{ module: 'jsonwebtoken/verify', function: 'verify', inApp: false }] } },
    ])
    let norm = 0
    for (let j = 0; j < set.dim; j++) norm += set.embeddings[j]! ** 2
    expect(norm).toBeCloseTo(1, 4)
    const similar = similarIssues(set, 'a', 2, -1)
    expect(similar[0]!.id).toBe('b')
    expect(similar[0]!.score).toBeGreaterThan(similar[1]!.score)
    expect(similar[0]!.shared).toContain('libFrame:pg/lib/client:connect')
    const manifest = JSON.parse(await readFile(defaultModelPaths.manifest, 'utf8'))
    expect(set.modelVersion.startsWith(`${manifest.models.embedding.version}#`)).toBe(true)
    await embedder.model.close()
  })

  it('the hashed model is hashed cosine, run by onnxruntime', async () => {
    const embedder = new SignatureEmbedder(await loadModelFromBytes(hashedEmbeddingModel().bytes))
    const signatures = [pg('ConnectionRefusedError', 'checkout'), pg('SequelizeConnectionError', 'billing')]
    const set = await embedder.embed(signatures.map((signature, id) => ({ id, signature })))
    expect(set.dim).toBe(signatureDimensions)
    const expected = new Float32Array(signatures.length * signatureDimensions)
    signatures.forEach((signature, i) => hashSignature(signatureFeatures(signature), expected, i * signatureDimensions))
    set.embeddings.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 6))
    await embedder.model.close()
  })

  it('the learned projection beats the hashed-cosine baseline on a held-out generated issue set and clusters causes', async () => {
    const issues = generateIssueSet(77, 8)
    const labels = issues.map((issue) => issue.cause)
    const hashed = new Float32Array(issues.length * signatureDimensions)
    issues.forEach((issue, i) => hashSignature(signatureFeatures(issue.signature), hashed, i * signatureDimensions))
    const embedder = new SignatureEmbedder(await loadModelFromBytes(trainEmbeddingModel().bytes))
    const set = await embedder.embed(issues.map((issue, id) => ({ id, signature: issue.signature })))
    const model = precisionAtK(set.embeddings, set.dim, labels, 5)
    expect(model).toBeGreaterThanOrEqual(0.8)
    expect(model).toBeGreaterThan(precisionAtK(hashed, signatureDimensions, labels, 5))
    const clusters = clusterEmbeddings(set.embeddings, set.dim, 0.8)
    const pure = clusters.filter((c) => new Set(c.map((i) => labels[i])).size === 1).length
    expect(pure / clusters.length).toBeGreaterThan(0.8)
    await embedder.model.close()
  })
})
