import { describe, expect, it } from 'vitest'
import { createPrng } from '../shared/prng'
import { loadAnomalyCombiner } from '../anomaly'
import { backtestSeries, parseSeriesCsv } from './index'

describe('backtest', () => {
  it('parses CSV with a header, ISO or epoch times', () => {
    expect(parseSeriesCsv('timestamp,value\n2024-01-01T00:01:00Z,3\n1704067200,2\n')).toEqual([
      { t: 1704067200000, v: 2 },
      { t: 1704067260000, v: 3 },
    ])
    expect(() => parseSeriesCsv('2024-01-01,abc\nx')).toThrow(/timestamp,value/)
  })

  it('returns a score per point and the spike window, fewer windows at lower sensitivity', async () => {
    const combiner = await loadAnomalyCombiner()
    const r = createPrng(9)
    const start = Date.UTC(2024, 0, 1)
    const csv = Array.from({ length: 500 }, (_, i) => `${new Date(start + i * 60_000).toISOString()},${r.poisson(30) + (i >= 420 && i < 426 ? 120 : 0)}`).join('\n')
    const result = await backtestSeries(csv, combiner, 'high')
    expect(result.points).toHaveLength(500)
    expect(result.windows.some((w) => w.start <= start + 425 * 60_000 && w.end >= start + 420 * 60_000)).toBe(true)
    expect(result.windows.every((w) => w.start >= start + 420 * 60_000 && w.start <= start + 425 * 60_000)).toBe(true)
    const strict = await backtestSeries(csv, combiner, 0)
    expect(strict.windows.length).toBeLessThanOrEqual(result.windows.length)
    expect(strict.threshold).toBeGreaterThan(result.threshold)
  })
})
