/**
 * The ONNX models of one process, loaded once and shared by the processor's jobs and the API
 * (one process may run both roles): the signature embedding (similar issues, clusters). The file
 * is watched: writing a new `.onnx` in place swaps the model without a restart, and every result
 * records the version that produced it. Anomaly scores need no model (anomaly/series-detector.ts).
 */
import { describeError } from '@faultline/core/errors'
import type { Logger } from '@faultline/core/log'
import { loadSignatureEmbedder, type SignatureEmbedder } from '../similarity'
import { defaultModelPaths } from '../shared/model-paths'

export interface IntelligenceModels {
  embedding: SignatureEmbedder
}

export interface ModelPaths {
  embedding: string
}

const loaded = new Map<string, Promise<IntelligenceModels>>()

/** Loads the models and watches their files; `pollMs` is how often the files are checked. */
export async function loadIntelligenceModels(logger: Logger, paths: ModelPaths = defaultModelPaths, pollMs = 2_000): Promise<IntelligenceModels> {
  const embedding = await loadSignatureEmbedder(paths.embedding)
  for (const model of [embedding.model]) {
    model.watch({
      intervalMs: pollMs,
      onReload: (version) => logger.info('model reloaded', { model: model.name, path: model.path, version }),
      onError: (error) => logger.error('model reload failed; the previous version stays in use', { path: model.path, error: describeError(error) }),
    })
  }
  logger.info('models loaded', { embedding: embedding.model.version })
  return { embedding }
}

/** The process-wide models for `paths` (the shipped ones by default); a failed load is retried on the next call. */
export function sharedIntelligenceModels(logger: Logger, paths: ModelPaths = defaultModelPaths): Promise<IntelligenceModels> {
  const key = paths.embedding
  let models = loaded.get(key)
  if (!models) {
    models = loadIntelligenceModels(logger, paths)
    loaded.set(key, models)
    models.catch(() => loaded.delete(key))
  }
  return models
}
