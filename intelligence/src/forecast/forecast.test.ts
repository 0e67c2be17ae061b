import { describe, expect, it } from 'vitest'
import { holtWintersForecast, thresholdCrossing } from './index'

describe('holtWintersForecast', () => {
  it('continues trend and season, with a widening interval', () => {
    const m = 24
    const values = Array.from({ length: m * 6 }, (_, t) => 100 + 0.5 * t + 20 * Math.sin((2 * Math.PI * t) / m))
    const forecast = holtWintersForecast(values, { seasonLength: m, horizon: m })
    expect(forecast.params.seasonal).toBe(true)
    forecast.points.forEach((p) => {
      const t = values.length + p.step - 1
      const truth = 100 + 0.5 * t + 20 * Math.sin((2 * Math.PI * t) / m)
      expect(Math.abs(p.value - truth)).toBeLessThan(0.03 * truth)
    })
    const last = forecast.points[m - 1]!
    expect(last.upper - last.lower).toBeGreaterThanOrEqual(forecast.points[0]!.upper - forecast.points[0]!.lower)
  })

  it('predicts when a rising series crosses a threshold', () => {
    const values = Array.from({ length: 50 }, (_, t) => 10 + 2 * t)
    const forecast = holtWintersForecast(values, { seasonLength: 0, horizon: 30 })
    // Next values are 110, 112, …: 150 is reached at step 21.
    const crossing = thresholdCrossing(forecast, 150)
    expect(crossing.expectedStep).toBe(21)
    expect(crossing.earliestStep!).toBeLessThanOrEqual(21)
    expect(thresholdCrossing(forecast, 1e6).expectedStep).toBeUndefined()
  })
})
