/**
 * The baseline detector: a plain rolling z-score over the trailing `window` points, flagging
 * |z| > `sigmas`. Returns |z| per point (0 during warm-up).
 */
export function rollingZScores(values: ArrayLike<number>, window = 60): Float64Array {
  const out = new Float64Array(values.length)
  let sum = 0
  let sumSquares = 0
  for (let i = 0; i < values.length; i++) {
    if (i >= window) {
      const mean = sum / window
      const variance = Math.max(0, sumSquares / window - mean * mean)
      const std = Math.sqrt(variance)
      out[i] = std > 0 ? Math.abs(values[i]! - mean) / std : values[i] === mean ? 0 : Number.POSITIVE_INFINITY
    }
    sum += values[i]!
    sumSquares += values[i]! * values[i]!
    if (i >= window) {
      sum -= values[i - window]!
      sumSquares -= values[i - window]! * values[i - window]!
    }
  }
  return out
}
