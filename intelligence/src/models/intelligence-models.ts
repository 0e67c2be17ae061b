/**
 * The ONNX models of one process, loaded once and shared by the processor's jobs and the API
 * (one process may run both roles). Each model file is watched: writing a new `.onnx` in place
 * swaps the model without a restart, and every score records the version that produced it.
 */
import { describeError } from '@faultline/core/errors'
import type { Logger } from '@faultline/core/log'
import { loadAnomalyScorer, type AnomalyScorer } from '../anomaly'
import { loadSignatureEmbedder, type SignatureEmbedder } from '../similarity'
import { defaultModelPaths } from '../shared/model-paths'

export interface IntelligenceModels {
  anomaly: AnomalyScorer
  embedding: SignatureEmbedder
}

export interface ModelPaths {
  anomaly: string
  embedding: string
}

const loaded = new Map<string, Promise<IntelligenceModels>>()

/** Loads both models and watches their files; `pollMs` is how often the files are checked. */
export async function loadIntelligenceModels(logger: Logger, paths: ModelPaths = defaultModelPaths, pollMs = 2_000): Promise<IntelligenceModels> {
  const [anomaly, embedding] = await Promise.all([loadAnomalyScorer(paths.anomaly), loadSignatureEmbedder(paths.embedding)])
  for (const model of [anomaly.model, embedding.model]) {
    model.watch({
      intervalMs: pollMs,
      onReload: (version) => logger.info('model reloaded', { model: model.name, path: model.path, version }),
      onError: (error) => logger.error('model reload failed; the previous version stays in use', { path: model.path, error: describeError(error) }),
    })
  }
  logger.info('models loaded', { anomaly: anomaly.modelVersion, embedding: embedding.model.version })
  return { anomaly, embedding }
}

/** The process-wide models for `paths` (the shipped ones by default); a failed load is retried on the next call. */
export function sharedIntelligenceModels(logger: Logger, paths: ModelPaths = defaultModelPaths): Promise<IntelligenceModels> {
  const key = `${paths.anomaly}\n${paths.embedding}`
  let models = loaded.get(key)
  if (!models) {
    models = loadIntelligenceModels(logger, paths)
    loaded.set(key, models)
    models.catch(() => loaded.delete(key))
  }
  return models
}
