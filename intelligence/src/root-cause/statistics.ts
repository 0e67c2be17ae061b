/** Complementary error function (Numerical Recipes erfcc, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x)
  const t = 1 / (1 + 0.5 * z)
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
  return x >= 0 ? r : 2 - r
}

/** One-sided upper tail P(Z ≥ z) of the standard normal, accurate far into the tail. */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2)
}

export interface ProportionTest {
  z: number
  /** One-sided: is proportion a greater than proportion b? */
  pValue: number
}

/** Two-proportion z-test with pooled variance. */
export function twoProportionZTest(successA: number, totalA: number, successB: number, totalB: number): ProportionTest {
  if (totalA <= 0 || totalB <= 0) return { z: 0, pValue: 1 }
  const pA = successA / totalA
  const pB = successB / totalB
  const pooled = (successA + successB) / (totalA + totalB)
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / totalA + 1 / totalB))
  if (se === 0) return { z: 0, pValue: 1 }
  const z = (pA - pB) / se
  return { z, pValue: normalUpperTail(z) }
}
