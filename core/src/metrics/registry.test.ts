import { describe, expect, it } from 'vitest'
import { MetricsRegistry } from './registry'

describe('MetricsRegistry', () => {
  it('renders counters, gauges and histograms in the Prometheus text format', async () => {
    const registry = new MetricsRegistry()
    const accepted = registry.counter('fl_events_total', 'Events')
    accepted.inc({ outcome: 'accepted' })
    accepted.inc({ outcome: 'accepted' }, 2)
    accepted.inc({ outcome: 'rate "limited"' })
    registry.gauge('fl_backlog', 'Backlog', async () => 42)
    const latency = registry.histogram('fl_latency_seconds', 'Latency', [0.1, 1])
    latency.observe(0.05)
    latency.observe(0.5)
    const text = await registry.render()
    expect(text).toContain('# TYPE fl_events_total counter')
    expect(text).toContain('fl_events_total{outcome="accepted"} 3')
    expect(text).toContain('fl_events_total{outcome="rate \\"limited\\""} 1')
    expect(text).toContain('fl_backlog 42')
    expect(text).toContain('fl_latency_seconds_bucket{le="0.1"} 1')
    expect(text).toContain('fl_latency_seconds_bucket{le="1"} 2')
    expect(text).toContain('fl_latency_seconds_bucket{le="+Inf"} 2')
    expect(text).toContain('fl_latency_seconds_count 2')
  })

  it('returns the same metric when registered twice', () => {
    const registry = new MetricsRegistry()
    expect(registry.counter('a', 'x')).toBe(registry.counter('a', 'x'))
  })

  it('appends text rendered by another registry, as a worker thread reports it', async () => {
    const worker = new MetricsRegistry()
    worker.counter('fl_worker_total', 'Worker').inc({}, 5)
    const main = new MetricsRegistry()
    main.counter('fl_main_total', 'Main').inc()
    main.addExternal(() => worker.render())
    const text = await main.render()
    expect(text).toContain('fl_main_total 1')
    expect(text).toContain('fl_worker_total 5')
  })
})
