import { describe, expect, it, vi } from 'vitest'
import { createEnvelope, parseEnvelope, type Envelope } from '../envelope'
import { createTransport, type DropReason, type TransportRequest, type TransportResponse } from './base'

const eventEnvelope = (id: string): Envelope => createEnvelope({ event_id: id }, [[{ type: 'event' }, { event_id: id }]])

function recorder() {
  const drops: Record<string, number> = {}
  return { drops, recordDroppedEvent: (reason: DropReason, category: string) => void (drops[`${reason}:${category}`] = (drops[`${reason}:${category}`] ?? 0) + 1) }
}

describe('createTransport', () => {
  it('sends the serialized envelope and reports success', async () => {
    const bodies: TransportRequest[] = []
    const transport = createTransport({}, async (req) => (bodies.push(req), { statusCode: 200 }))
    expect(await transport.send(eventEnvelope('a'))).toEqual({ kind: 'sent', statusCode: 200 })
    expect(parseEnvelope(bodies[0]!.body)[0].event_id).toBe('a')
    expect(bodies[0]!.categories).toEqual(['error'])
  })

  it('bounds the buffer and counts overflow as queue_overflow', async () => {
    const { drops, recordDroppedEvent } = recorder()
    const pending: (() => void)[] = []
    const transport = createTransport({ bufferSize: 3, recordDroppedEvent }, () => new Promise<TransportResponse>((resolve) => pending.push(() => resolve({ statusCode: 200 }))))
    const results = Array.from({ length: 10 }, (_, i) => transport.send(eventEnvelope(String(i))))
    // The seven that did not fit are refused at once; the three held are all in flight.
    const refused = await Promise.all(results.slice(3))
    expect(refused).toEqual(Array(7).fill({ kind: 'dropped', reason: 'queue_overflow' }))
    expect(pending).toHaveLength(3)
    expect(drops).toEqual({ 'queue_overflow:error': 7 })
    pending.forEach((release) => release())
    const settled = await Promise.all(results)
    expect(settled.filter((r) => r.kind === 'sent')).toHaveLength(3)
    expect(await transport.flush(100)).toBe(true)
  })

  it('honours 429 with X-Sentry-Rate-Limits per category and counts what it holds back', async () => {
    const { drops, recordDroppedEvent } = recorder()
    let calls = 0
    const transport = createTransport({ recordDroppedEvent }, async () => {
      calls++
      return calls === 1 ? { statusCode: 429, headers: { 'x-sentry-rate-limits': '60:error:key', 'retry-after': null } } : { statusCode: 200 }
    })
    expect(await transport.send(eventEnvelope('1'))).toEqual({ kind: 'dropped', reason: 'ratelimit_backoff' })
    expect(await transport.send(eventEnvelope('2'))).toEqual({ kind: 'dropped', reason: 'ratelimit_backoff' })
    expect(calls).toBe(1)
    // Another category still goes through.
    const mixed = createEnvelope({}, [[{ type: 'event' }, {}], [{ type: 'security' }, { kind: 'csp' }]])
    expect(await transport.send(mixed)).toEqual({ kind: 'sent', statusCode: 200 })
    expect(drops).toEqual({ 'ratelimit_backoff:error': 3 })
  })

  it('drops a 413 without retrying as send_error', async () => {
    const { drops, recordDroppedEvent } = recorder()
    let calls = 0
    const transport = createTransport({ recordDroppedEvent, retryInitialMs: 1 }, async () => (calls++, { statusCode: 413 }))
    expect(await transport.send(eventEnvelope('x'))).toEqual({ kind: 'dropped', reason: 'send_error' })
    expect(calls).toBe(1)
    expect(drops).toEqual({ 'send_error:error': 1 })
  })

  it('retries network errors and 5xx with backoff, bounded', async () => {
    const { drops, recordDroppedEvent } = recorder()
    const times: number[] = []
    const transport = createTransport({ recordDroppedEvent, maxRetries: 3, retryInitialMs: 20, retryMaxMs: 1000 }, async () => {
      times.push(Date.now())
      throw new Error('ECONNREFUSED')
    })
    expect(await transport.send(eventEnvelope('x'))).toEqual({ kind: 'dropped', reason: 'network_error' })
    expect(times).toHaveLength(4)
    const gaps = times.slice(1).map((t, i) => t - times[i]!)
    expect(gaps[0]).toBeGreaterThanOrEqual(9)
    expect(gaps[2]).toBeGreaterThanOrEqual(39)
    expect(drops).toEqual({ 'network_error:error': 1 })

    let calls = 0
    const flaky = createTransport({ retryInitialMs: 1 }, async () => (++calls < 3 ? { statusCode: 503 } : { statusCode: 200 }))
    expect(await flaky.send(eventEnvelope('y'))).toEqual({ kind: 'sent', statusCode: 200 })
    expect(calls).toBe(3)
  })

  it('stops retrying a 503 that announces Retry-After and holds back meanwhile', async () => {
    let calls = 0
    const transport = createTransport({ retryInitialMs: 1 }, async () => (calls++, { statusCode: 503, headers: { 'retry-after': '30' } }))
    expect(await transport.send(eventEnvelope('x'))).toEqual({ kind: 'dropped', reason: 'ratelimit_backoff' })
    expect(await transport.send(eventEnvelope('y'))).toEqual({ kind: 'dropped', reason: 'ratelimit_backoff' })
    expect(calls).toBe(1)
  })

  it('never rejects, even when makeRequest throws synchronously', async () => {
    const transport = createTransport({ maxRetries: 0 }, () => {
      throw new Error('boom')
    })
    expect(await transport.send(eventEnvelope('x'))).toEqual({ kind: 'dropped', reason: 'network_error' })
  })

  it('flush times out while requests hang, after its timeout and not before', async () => {
    vi.useFakeTimers()
    try {
      const transport = createTransport({}, () => new Promise<TransportResponse>(() => undefined))
      void transport.send(eventEnvelope('x'))
      let flushed: boolean | undefined
      void transport.flush(50).then((result) => (flushed = result))
      await vi.advanceTimersByTimeAsync(49)
      expect(flushed).toBeUndefined()
      await vi.advanceTimersByTimeAsync(1)
      expect(flushed).toBe(false)
    } finally {
      vi.useRealTimers()
    }
  })
})
