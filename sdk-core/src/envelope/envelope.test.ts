import { describe, expect, it } from 'vitest'
import { createEnvelope, envelopeCategories, parseEnvelope, serializeEnvelope, type Envelope } from './envelope'

describe('envelope', () => {
  it('round-trips JSON items with byte lengths that count multi-byte characters', () => {
    const envelope: Envelope = createEnvelope({ event_id: 'abc', sent_at: '2025-01-01T00:00:00.000Z' }, [
      [{ type: 'event' }, { event_id: 'abc', message: 'héllo — 世界 🎉' }],
      [{ type: 'client_report' }, { discarded_events: [{ reason: 'queue_overflow', category: 'error', quantity: 2 }] }],
    ])
    const wire = serializeEnvelope(envelope)
    expect(typeof wire).toBe('string')
    const lines = (wire as string).split('\n')
    const itemHeader = JSON.parse(lines[1]!) as { type: string; length: number }
    expect(itemHeader.type).toBe('event')
    expect(itemHeader.length).toBe(new TextEncoder().encode(lines[2]!).length)
    expect(itemHeader.length).toBeGreaterThan(lines[2]!.length)
    const parsed = parseEnvelope(wire)
    expect(parsed[0]).toEqual(envelope[0])
    expect(parsed[1][0]![1]).toEqual({ event_id: 'abc', message: 'héllo — 世界 🎉' })
    expect(parsed[1][1]![0].type).toBe('client_report')
  })

  it('serializes binary payloads to bytes and parses them back unchanged', () => {
    const bytes = new Uint8Array([0, 10, 255, 10, 13, 1])
    const wire = serializeEnvelope(createEnvelope({}, [[{ type: 'attachment', filename: 'a.bin' }, bytes], [{ type: 'event' }, { a: 1 }]]))
    expect(wire).toBeInstanceOf(Uint8Array)
    const [, items] = parseEnvelope(wire)
    expect(items[0]![1]).toEqual(bytes)
    expect(items[1]![1]).toEqual({ a: 1 })
  })

  it('parses items without a length header (newline delimited)', () => {
    const [, items] = parseEnvelope('{}\n{"type":"event"}\n{"message":"x"}\n{"type":"event"}\n{"message":"y"}')
    expect(items.map((i) => (i[1] as { message: string }).message)).toEqual(['x', 'y'])
  })

  it('rejects an envelope whose item header is not JSON', () => {
    expect(() => parseEnvelope('{}\nnot json\n{}')).toThrow(/item header/)
  })

  it('survives cyclic payloads', () => {
    const extra: Record<string, unknown> = { a: 1 }
    extra.self = extra
    const [, items] = parseEnvelope(serializeEnvelope(createEnvelope({}, [[{ type: 'event' }, { extra }]])))
    expect(items[0]![1]).toEqual({ extra: { a: 1, self: '[Circular]' } })
  })

  it('maps item types to rate-limit categories', () => {
    const env = createEnvelope({}, [[{ type: 'event' }, {}], [{ type: 'security' }, {}], [{ type: 'replay_event' }, {}], [{ type: 'foo' }, {}]])
    expect(envelopeCategories(env)).toEqual(['error', 'security', 'replay', 'default'])
  })
})
