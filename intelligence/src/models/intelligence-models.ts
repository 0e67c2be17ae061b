/**
 * The ONNX models of one process, loaded once and shared by the processor's jobs and the API
 * (one process may run both roles): the signature embedding (similar issues, clusters) and the
 * anomaly combiner (anomaly scores, backtests). The files are watched: writing a new `.onnx` in
 * place swaps the model without a restart, and every result records the version that produced it.
 */
import { describeError } from '@faultline/core/errors'
import type { Logger } from '@faultline/core/log'
import { onnxCombiner, type AnomalyCombiner } from '../anomaly'
import { loadModel } from '../onnx'
import { loadSignatureEmbedder, type SignatureEmbedder } from '../similarity'
import { defaultModelPaths } from '../shared/model-paths'

export interface IntelligenceModels {
  embedding: SignatureEmbedder
  anomaly: AnomalyCombiner
}

export interface ModelPaths {
  embedding: string
  anomaly: string
}

const loaded = new Map<string, Promise<IntelligenceModels>>()

/** Loads the models and watches their files; `pollMs` is how often the files are checked. */
export async function loadIntelligenceModels(logger: Logger, paths: ModelPaths = defaultModelPaths, pollMs = 2_000): Promise<IntelligenceModels> {
  const [embedding, combiner] = await Promise.all([loadSignatureEmbedder(paths.embedding), loadModel(paths.anomaly)])
  for (const model of [embedding.model, combiner]) {
    model.watch({
      intervalMs: pollMs,
      onReload: (version) => logger.info('model reloaded', { model: model.name, path: model.path, version }),
      onError: (error) => logger.error('model reload failed; the previous version stays in use', { path: model.path, error: describeError(error) }),
    })
  }
  logger.info('models loaded', { embedding: embedding.model.version, anomaly: combiner.version })
  return { embedding, anomaly: onnxCombiner(combiner) }
}

/** The process-wide models for `paths` (the shipped ones by default); a failed load is retried on the next call. */
export function sharedIntelligenceModels(logger: Logger, paths: ModelPaths = defaultModelPaths): Promise<IntelligenceModels> {
  const key = `${paths.embedding}\n${paths.anomaly}`
  let models = loaded.get(key)
  if (!models) {
    models = loadIntelligenceModels(logger, paths)
    loaded.set(key, models)
    models.catch(() => loaded.delete(key))
  }
  return models
}
