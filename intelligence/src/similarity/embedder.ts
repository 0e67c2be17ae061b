import { loadModel } from '../onnx/model-session'
import type { OnnxModel } from '../onnx/model-session'
import { defaultModelPaths } from '../shared/model-paths'
import { nearestNeighbours, sharedFeatures } from './neighbours'
import { hashSignature, signatureDimensions, signatureFeatures } from './signature'
import type { ErrorSignature, SignatureFeature } from './signature'

export interface EmbeddedIssues<Id> {
  ids: Id[]
  /** Row-major [n, dim], L2-normalized. */
  embeddings: Float32Array
  dim: number
  features: SignatureFeature[][]
  modelVersion: string
}

export interface SimilarIssue<Id> {
  id: Id
  score: number
  /** Features both signatures carry, e.g. `libFrame:pg/lib/client:connect`. */
  shared: string[]
}

/** Hashes signatures and runs the embedding model on them in one batch. */
export class SignatureEmbedder {
  readonly model: OnnxModel

  constructor(model: OnnxModel) {
    this.model = model
  }

  async embed<Id>(items: ReadonlyArray<{ id: Id; signature: ErrorSignature }>): Promise<EmbeddedIssues<Id>> {
    const features = items.map((item) => signatureFeatures(item.signature))
    const input = new Float32Array(items.length * signatureDimensions)
    features.forEach((f, i) => hashSignature(f, input, i * signatureDimensions))
    const run = await this.model.run(input, items.length)
    return { ids: items.map((item) => item.id), embeddings: run.output, dim: run.outputWidth, features, modelVersion: run.version }
  }
}

/** Similar issues for one issue of an embedded set, with the features they share. */
export function similarIssues<Id>(set: EmbeddedIssues<Id>, queryId: Id, k = 5, minScore = 0.5): SimilarIssue<Id>[] {
  const query = set.ids.indexOf(queryId)
  if (query < 0) return []
  return nearestNeighbours(set.embeddings, set.dim, query, k, minScore).map((n) => ({
    id: set.ids[n.index]!,
    score: n.score,
    shared: sharedFeatures(set.features[query]!, set.features[n.index]!),
  }))
}

export async function loadSignatureEmbedder(path: string = defaultModelPaths.embedding): Promise<SignatureEmbedder> {
  return new SignatureEmbedder(await loadModel(path))
}
