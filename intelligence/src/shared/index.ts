export { createPrng } from './prng'
export type { Prng } from './prng'
export { defaultModelPaths, modelsDirectory } from './model-paths'
