import { describe, expect, it } from 'vitest'
import { metricRuleSchema } from '../config'
import { metricFiringAt } from './metric-rules'

const rule = (input: Record<string, unknown>) => metricRuleSchema.parse({ name: 'r', kind: 'metric', project: '1', ...input })
const series = (values: number[]) => ({ counts: Float64Array.from(values) })

/** Runs the rule point by point and returns the firing state at each. */
function run(r: ReturnType<typeof rule>, values: number[]): boolean[] {
  const s = series(values)
  let firing = false
  return values.map((_, t) => (firing = metricFiringAt(r, s, t, firing).firing))
}

describe('metric rules', () => {
  it('fire above the threshold and resolve only below resolve_below (hysteresis)', () => {
    const r = rule({ condition: { type: 'threshold', above: 10, resolve_below: 5 } })
    expect(run(r, [1, 11, 8, 6, 4, 8, 12])).toEqual([false, true, true, true, false, false, true])
  })

  it('fire when N of the last M points breach', () => {
    const r = rule({ condition: { type: 'threshold', above: 10 }, for: { breaches: 2, of: 3 } })
    expect(run(r, [11, 0, 0, 11, 0, 11, 0, 0])).toEqual([false, false, false, false, false, true, false, false])
  })

  it('sum events over the window', () => {
    const r = rule({ window: '3m', condition: { type: 'threshold', above: 10 } })
    expect(run(r, [4, 4, 4, 0, 0])).toEqual([false, false, true, false, false])
  })

  it('breach on anomaly scores at the threshold of their sensitivity', () => {
    const r = rule({ condition: { type: 'anomaly', sensitivity: 'high' } })
    const s = { counts: new Float64Array(4), scores: Float32Array.from([0.1, 0.95, Number.NaN, 0.5]), scoreThreshold: 0.9 }
    expect([0, 1, 2, 3].map((t) => metricFiringAt(r, s, t, false).firing)).toEqual([false, true, false, false])
  })

  it('breach when the forecast crosses within the horizon, not when it stays below', () => {
    const r = rule({ condition: { type: 'forecast', above: 140, horizon: '30m' } })
    const rising = Array.from({ length: 120 }, (_, i) => i)
    const flat = Array.from({ length: 120 }, () => 5)
    expect(metricFiringAt(r, series(rising), 119, false).firing).toBe(true)
    expect(metricFiringAt(r, series(flat), 119, false).firing).toBe(false)
  })

  it('refuses contradictory settings', () => {
    expect(metricRuleSchema.safeParse({ name: 'r', kind: 'metric', project: '1', condition: { type: 'threshold', above: 5, resolve_below: 9 } }).success).toBe(false)
    expect(metricRuleSchema.safeParse({ name: 'r', kind: 'metric', project: '1', condition: { type: 'threshold', above: 5 }, for: { breaches: 4, of: 3 } }).success).toBe(false)
    expect(metricRuleSchema.safeParse({ name: 'r', kind: 'metric', project: '1', levels: ['error'], condition: { type: 'anomaly' } }).success).toBe(false)
  })
})
