export { createPrng } from './prng'
export type { Prng } from './prng'
