import { describe, expect, it } from 'vitest'
import { anomalyFeatureCount, anomalyFeatureNames, latestFeatures, seriesFeatures } from './index'

describe('series features', () => {
  it('agree between the full-series and the latest-point computation', () => {
    const values = Array.from({ length: 1600 }, (_, i) => 10 + (i % 7) + (i === 1599 ? 40 : 0))
    const all = seriesFeatures(values)
    const last = latestFeatures(values)
    for (let f = 0; f < anomalyFeatureCount; f++) expect(last[f]!).toBeCloseTo(all[1599 * anomalyFeatureCount + f]!, 4)
    const at = (name: (typeof anomalyFeatureNames)[number]): number => last[anomalyFeatureNames.indexOf(name)]!
    expect(at('robust_z')).toBeGreaterThan(2)
    expect(at('has_day')).toBe(1)
    expect(at('has_week')).toBe(0)
    expect(at('day_seasonal_z')).toBeGreaterThan(2)
  })
})
