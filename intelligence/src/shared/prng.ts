/** A seeded PRNG (mulberry32): evaluation sets and training runs are reproducible from a seed. */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number
  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number
  pick<T>(items: readonly T[]): T
  /** Standard normal (Box–Muller). */
  normal(): number
  /** Poisson sample; normal approximation above 60 keeps large means cheap. */
  poisson(mean: number): number
  chance(probability: number): boolean
  /** Lower-case hex string of `length` characters. */
  hex(length: number): string
  shuffle<T>(items: T[]): T[]
}

export function createPrng(seed: number): Prng {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  const normal = (): number => {
    const u = Math.max(next(), 1e-12)
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next())
  }
  return {
    next,
    int,
    normal,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list')
      return items[Math.floor(next() * items.length)] as T
    },
    poisson(mean) {
      if (mean <= 0) return 0
      if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()))
      const limit = Math.exp(-mean)
      let k = 0
      let p = next()
      while (p > limit) {
        k++
        p *= next()
      }
      return k
    },
    chance: (probability) => next() < probability,
    hex(length) {
      let out = ''
      for (let i = 0; i < length; i++) out += '0123456789abcdef'[Math.floor(next() * 16)]
      return out
    },
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1))
        const tmp = items[i] as T
        items[i] = items[j] as T
        items[j] = tmp
      }
      return items
    },
  }
}
