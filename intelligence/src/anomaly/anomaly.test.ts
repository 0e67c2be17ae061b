import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { createPrng } from '../shared/prng'
import { defaultModelPaths } from '../shared/model-paths'
import { loadAnomalyScorer, rollingZScores, scoreWindows, trainAnomalyModel } from './index'

function series(seed: number, spikeAt?: number): number[] {
  const r = createPrng(seed)
  return Array.from({ length: 600 }, (_, i) => r.poisson(20) + (spikeAt !== undefined && i >= spikeAt && i < spikeAt + 5 ? 80 : 0))
}

describe('anomaly scoring with the shipped ONNX model', () => {
  it('scores a clear spike high, explains it, and leaves the noise low', async () => {
    const scorer = await loadAnomalyScorer()
    const result = await scorer.scoreSeries(series(1, 400))
    expect(Math.max(...result.scores.slice(400, 405))).toBeGreaterThan(result.threshold)
    expect(Math.max(...result.scores.slice(100, 390))).toBeLessThan(result.threshold)
    expect(result.windows.some((w) => w.start <= 402 && w.end >= 400)).toBe(true)
    expect(result.modelVersion).toMatch(/^anomaly-mlp-1#/)
    const row = result.features.slice(400 * 11, 401 * 11)
    const reasons = await scorer.explain(row)
    expect(reasons.length).toBeGreaterThan(0)
    expect(reasons[0]!.contribution).toBeGreaterThan(0)
    await scorer.model.close()
  })

  it('scores the latest point of many series in one run, like the full-series scorer', async () => {
    const scorer = await loadAnomalyScorer()
    const all = [series(2, 595), series(3)]
    const latest = await scorer.scoreLatest(all)
    const full = await scorer.scoreSeries(all[0]!)
    expect(latest.scores[0]!).toBeCloseTo(full.scores[599]!, 3)
    expect(latest.scores[0]!).toBeGreaterThan(latest.scores[1]!)
    expect(scorer.threshold('high')).toBeLessThan(scorer.threshold('low'))
    await scorer.model.close()
  })

  it('training is deterministic for a seed', () => {
    const options = { anomalousSeries: 4, cleanSeries: 1, epochs: 2 }
    const a = trainAnomalyModel(options)
    const b = trainAnomalyModel(options)
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true)
    expect(Buffer.from(trainAnomalyModel({ ...options, seed: 5 }).bytes).equals(Buffer.from(a.bytes))).toBe(false)
  })

  it('the manifest threshold matches the shipped model metadata', async () => {
    const manifest = JSON.parse(await readFile(defaultModelPaths.manifest, 'utf8'))
    const scorer = await loadAnomalyScorer()
    expect(scorer.threshold('medium')).toBeCloseTo(manifest.models.anomaly.threshold, 6)
    await scorer.model.close()
  })
})

describe('baseline and windows', () => {
  it('flags a spike with the rolling z-score and merges close flags', () => {
    const z = rollingZScores(series(4, 300))
    expect(z[300]!).toBeGreaterThan(3)
    const windows = scoreWindows(Float64Array.from([0, 5, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5]), 3, 5)
    expect(windows.map((w) => [w.start, w.end])).toEqual([[1, 3], [20, 20]])
  })
})
