/**
 * How unusual a value of a non-negative statistic is against that statistic's own recent history:
 * a tail probability, so scores mean the same on every series whatever its scale or burstiness.
 *
 * The history is a log-spaced histogram (16 bins a decade over 1e-3 … 1e12) whose weights decay
 * with a half-life in points, so its size is fixed and old behaviour fades. Below the 98th
 * percentile the probability is the share of weight above the value; beyond it, exceedances are
 * modelled as a generalized Pareto tail (peaks over threshold, as in SPOT, Siffer et al., KDD
 * 2017) read from the 98th, 99.5th and 99.875th percentiles, so a value past everything seen still
 * gets a finite, ordered probability rather than "1 in n".
 */

const binsPerDecade = 16
const lowestExponent = -3
const decades = 15
const binCount = binsPerDecade * decades + 2 // + below the lowest edge, + above the highest

const refitEvery = 8
/** The scale of the tail comes from the quantiles at tailShare and tailShare / tailSpread. */
const tailSpread = 4
/**
 * Observations beyond the tail's start needed to place it: with fewer points than this many over
 * tailShare, the tail starts lower (a share this many over the count), or a young history's
 * extremes would set it.
 */
const tailExceedances = 2.4
/** The heaviest tail fitted (a power law of exponent 1 / maxShape): heavier estimates are noise. */
const maxShape = 0.5

const edge = (k: number): number => 10 ** (lowestExponent + k / binsPerDecade)

function binOf(x: number): number {
  if (!(x > edge(0))) return 0
  const k = Math.floor((Math.log10(x) - lowestExponent) * binsPerDecade) + 1
  return Math.min(binCount - 1, k)
}

export interface CalibratorOptions {
  /** Points after which an observation weighs half as much. */
  halfLife: number
  /** Share of the history beyond which the tail is modelled. */
  tailShare: number
  /** Observations needed before probabilities are given (1 until then). */
  minCount: number
}

export const defaultCalibratorOptions: CalibratorOptions = { halfLife: 2000, tailShare: 0.02, minCount: 120 }

/** Prefix sums over the bins (a Fenwick tree): tail weights and quantiles in O(log bins). */
class PrefixSums {
  readonly #tree = new Float64Array(binCount + 1)

  add(bin: number, weight: number): void {
    for (let i = bin + 1; i <= binCount; i += i & -i) this.#tree[i]! += weight
  }

  /** Sum of bins 0..bin. */
  through(bin: number): number {
    let sum = 0
    for (let i = bin + 1; i > 0; i -= i & -i) sum += this.#tree[i]!
    return sum
  }

  /** The first bin whose running sum reaches `target`. */
  firstReaching(target: number): number {
    let position = 0
    let remaining = target
    for (let step = 1 << Math.floor(Math.log2(binCount)); step > 0; step >>= 1) {
      const next = position + step
      if (next <= binCount && this.#tree[next]! < remaining) {
        position = next
        remaining -= this.#tree[next]!
      }
    }
    return Math.min(position, binCount - 1)
  }

  scale(factor: number): void {
    for (let i = 1; i <= binCount; i++) this.#tree[i]! *= factor
  }
}

export class TailCalibrator {
  readonly #weights = new Float64Array(binCount)
  readonly #sums = new PrefixSums()
  readonly #options: CalibratorOptions
  readonly #growth: number
  #total = 0
  #increment = 1
  #count = 0
  /** The tail fit, refreshed every few additions (it moves slowly). */
  #fit: { threshold: number; scale: number; shape: number; share: number } | undefined
  #sinceFit = 0

  constructor(options: Partial<CalibratorOptions> = {}) {
    this.#options = { ...defaultCalibratorOptions, ...options }
    this.#growth = 2 ** (1 / this.#options.halfLife)
  }

  /** Probability of a value at least `x` under the history; 1 while the history is short. */
  pValue(x: number): number {
    if (this.#count < this.#options.minCount || this.#total <= 0) return 1
    if (!this.#fit || this.#sinceFit >= refitEvery) {
      this.#fit = this.#tail()
      this.#sinceFit = 0
    }
    const { threshold, scale, shape } = this.#fit
    if (x <= threshold) return Math.min(1, this.#weightAbove(x) / this.#total)
    if (scale <= 0) return this.#fit.share * 1e-12
    const excess = (x - threshold) / scale
    // Generalized Pareto: exponential when the shape is 0, a power law's heavier tail above it.
    const tail = shape < 1e-6 ? Math.exp(-excess) : (1 + shape * excess) ** (-1 / shape)
    return this.#fit.share * tail
  }

  /** Weight of the history above `x`, the part of x's own bin spread evenly in log space. */
  #weightAbove(x: number): number {
    const b = binOf(x)
    return this.#total - this.#sums.through(b) + this.#shareAbove(b, x) * this.#weights[b]!
  }

  #shareAbove(b: number, x: number): number {
    if (b === 0 || b === binCount - 1) return 0.5
    const low = edge(b - 1)
    const high = edge(b)
    return Math.min(1, Math.max(0, Math.log(high / Math.max(x, low)) / Math.log(high / low)))
  }

  /**
   * The tail's start (the 1 − tailShare quantile) and a generalized Pareto fit beyond it from two
   * further quantiles, each a factor `tailSpread` further out (Pickands' estimator): quantiles
   * rather than moments, because one huge value (a flat series' first move) would otherwise
   * stretch the fit for thousands of points. A heavy tail (bursty series) gets a positive shape
   * and so fewer alarms; a light one is held at the exponential, the cautious side.
   */
  #tail(): { threshold: number; scale: number; shape: number; share: number } {
    const share = Math.max(this.#options.tailShare, tailExceedances / this.#count)
    const q1 = this.#quantileFromTop(share)
    const q2 = this.#quantileFromTop(share / tailSpread)
    const q3 = this.#quantileFromTop(share / tailSpread / tailSpread)
    const near = q2 - q1
    if (near <= 0) return { threshold: q1, scale: 0, shape: 0, share }
    const shape = Math.min(maxShape, Math.max(0, Math.log(Math.max(q3 - q2, 0) / near) / Math.log(tailSpread)))
    const scale = shape < 1e-6 ? near / Math.log(tailSpread) : (shape * near) / (tailSpread ** shape - 1)
    return { threshold: q1, scale, shape: Number.isFinite(shape) ? shape : 0, share }
  }

  /** The value with `share` of the history's weight above it (log-interpolated within its bin). */
  #quantileFromTop(share: number): number {
    const target = share * this.#total
    const b = this.#sums.firstReaching(this.#total - target)
    if (b === 0) return 0
    if (b === binCount - 1) return edge(binCount - 2)
    const above = this.#total - this.#sums.through(b)
    const low = edge(b - 1)
    const high = edge(b)
    const inside = this.#weights[b]! > 0 ? Math.min(1, Math.max(0, (target - above) / this.#weights[b]!)) : 0
    return high * (low / high) ** inside
  }

  add(x: number): void {
    this.#count++
    this.#sinceFit++
    const bin = binOf(x)
    this.#weights[bin]! += this.#increment
    this.#sums.add(bin, this.#increment)
    this.#total += this.#increment
    this.#increment *= this.#growth
    // Growing the increment is decaying the past; rescale before the numbers grow unwieldy.
    if (this.#increment > 1e100) {
      for (let k = 0; k < binCount; k++) this.#weights[k]! /= this.#increment
      this.#sums.scale(1 / this.#increment)
      this.#total /= this.#increment
      this.#increment = 1
    }
  }
}
