import { fileURLToPath } from 'node:url'

/** Where the shipped models live: intelligence/models. */
export const modelsDirectory = fileURLToPath(new URL('../../models/', import.meta.url))

export const defaultModelPaths = {
  embedding: `${modelsDirectory}embedding.onnx`,
  anomaly: `${modelsDirectory}anomaly.onnx`,
  manifest: `${modelsDirectory}manifest.json`,
} as const
