import { randomBytes } from 'node:crypto'
import {
  createAttachmentEnvelopeItem,
  createClientReportEnvelope,
  createEnvelope,
  createEventEnvelope,
  makeDsn,
  serializeEnvelope as sentrySerialize,
  type Envelope as SentryEnvelope,
} from '@sentry/core'
import { describe, expect, it } from 'vitest'
import { costGrowth, superLinearGrowth } from '@faultline/core/testing'
import { itemJson } from './item-json'
import { parseEnvelope } from './parse-envelope'
import { serializeEnvelope } from './serialize-envelope'
import type { EnvelopeLimits } from './types'

const MiB = 1024 * 1024
const limits: EnvelopeLimits = { maxItems: 100, maxItemBytes: MiB, maxHeaderBytes: 16 * 1024 }
const encoder = new TextEncoder()
const decoder = new TextDecoder()
const bytes = (text: string) => encoder.encode(text)
const DSN = 'https://0123456789abcdef0123456789abcdef@o1.ingest.example.com/42'
const EVENT_ID = '9ec79c33ec9942ab8353589fcb2e04dc'

function parsed(input: Uint8Array | string, custom: EnvelopeLimits = limits) {
  const result = parseEnvelope(typeof input === 'string' ? bytes(input) : input, custom)
  if (!result.ok) throw new Error(`expected a parsed envelope, got ${result.status} ${result.reason}`)
  return result.envelope
}

function refused(input: Uint8Array | string, custom: EnvelopeLimits = limits) {
  const result = parseEnvelope(typeof input === 'string' ? bytes(input) : input, custom)
  if (result.ok) throw new Error('expected the envelope to be refused')
  return result
}

const sentryBytes = (envelope: SentryEnvelope): Uint8Array => {
  const serialized = sentrySerialize(envelope)
  return typeof serialized === 'string' ? bytes(serialized) : serialized
}

describe('parseEnvelope: envelopes as the @sentry/node v10 SDK writes them', () => {
  const sdk = { name: 'sentry.javascript.node', version: '10.5.0' }
  const event = {
    event_id: EVENT_ID,
    timestamp: 1_700_000_000.123,
    platform: 'node',
    level: 'error' as const,
    exception: { values: [{ type: 'TypeError', value: 'x is not a function\nsecond line', stacktrace: { frames: [{ filename: 'app.js', lineno: 3 }] } }] },
    sdk,
  }

  it('reads an event item without length followed by a client_report item', () => {
    const eventEnvelope = createEventEnvelope(event, makeDsn(DSN), { sdk })
    const report = createClientReportEnvelope([{ reason: 'queue_overflow', category: 'error', quantity: 2 }], DSN, 1_700_000_000)
    // The SDK's types pair each envelope kind with its own items; on the wire any mix is allowed.
    const combined = [eventEnvelope[0], [...eventEnvelope[1], ...report[1]]] as unknown as SentryEnvelope
    const envelope = parsed(sentryBytes(combined))

    expect(envelope.headers.event_id).toBe(EVENT_ID)
    expect(envelope.headers.sdk).toEqual({ name: 'sentry.javascript.node', version: '10.5.0' })
    expect(envelope.items.map((item) => item.headers)).toEqual([{ type: 'event' }, { type: 'client_report' }])
    const eventJson = itemJson(envelope.items[0]!)
    expect(eventJson.ok && (eventJson.value as { exception: typeof event.exception }).exception).toEqual(event.exception)
    const reportJson = itemJson(envelope.items[1]!)
    expect(reportJson).toEqual({ ok: true, value: { timestamp: 1_700_000_000, discarded_events: [{ reason: 'queue_overflow', category: 'error', quantity: 2 }] } })
  })

  it('reads items with length whose payloads hold newlines and binary bytes', () => {
    const binary = new Uint8Array([0, 10, 255, 10, 13, 10, 0x7b])
    const eventEnvelope = createEventEnvelope(event, makeDsn(DSN), { sdk })
    const withAttachments = createEnvelope(eventEnvelope[0], [
      ...eventEnvelope[1],
      createAttachmentEnvelopeItem({ data: 'line one\nline two\n', filename: 'log.txt' }),
      createAttachmentEnvelopeItem({ data: binary, filename: 'dump.bin', contentType: 'application/octet-stream' }),
    ])
    const envelope = parsed(sentryBytes(withAttachments))
    expect(envelope.items).toHaveLength(3)
    expect(envelope.items[1]!.headers).toMatchObject({ type: 'attachment', length: 18, filename: 'log.txt' })
    expect(decoder.decode(envelope.items[1]!.payload)).toBe('line one\nline two\n')
    expect(envelope.items[2]!.headers).toMatchObject({ type: 'attachment', length: 7, content_type: 'application/octet-stream' })
    expect([...envelope.items[2]!.payload]).toEqual([...binary])
  })

  it('reads a client report envelope whose header carries the dsn', () => {
    const report = createClientReportEnvelope([{ reason: 'ratelimit_backoff', category: 'transaction', quantity: 1 }], DSN, 1)
    expect(parsed(sentryBytes(report)).headers.dsn).toBe(DSN)
  })
})

describe('parseEnvelope: a captured @sentry/node 10 request body', () => {
  // Bytes as sent by @sentry/node 10 (event without length, then a client report), kept literal so
  // the test does not depend on the SDK's serializer staying the same.
  const captured =
    '{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","sent_at":"2025-06-01T10:00:00.123Z","sdk":{"name":"sentry.javascript.node","version":"10.5.0"},' +
    '"trace":{"environment":"production","release":"shop@1.4.2","public_key":"0123456789abcdef0123456789abcdef","trace_id":"0af7651916cd43dd8448eb211c80319c","sample_rate":"1","transaction":"POST /checkout","sampled":"true"}}\n' +
    '{"type":"event"}\n' +
    '{"exception":{"values":[{"type":"Error","value":"boom","stacktrace":{"frames":[{"filename":"/app/index.js","function":"main","lineno":1,"colno":7,"in_app":true}]},"mechanism":{"type":"generic","handled":true}}]},"level":"error","event_id":"9ec79c33ec9942ab8353589fcb2e04dc","platform":"node","timestamp":1748772000.1,"environment":"production","sdk":{"integrations":["Http"],"name":"sentry.javascript.node","version":"10.5.0","packages":[{"name":"npm:@sentry/node","version":"10.5.0"}]}}\n' +
    '{"type":"client_report"}\n' +
    '{"timestamp":1748772000,"discarded_events":[{"reason":"sample_rate","category":"transaction","quantity":3}]}'

  it('reads the header, the event and the client report', () => {
    const envelope = parsed(captured)
    expect(envelope.headers.trace).toMatchObject({ public_key: '0123456789abcdef0123456789abcdef', trace_id: '0af7651916cd43dd8448eb211c80319c' })
    expect(envelope.items.map((item) => item.headers.type)).toEqual(['event', 'client_report'])
    const event = itemJson(envelope.items[0]!)
    expect(event.ok && (event.value as { platform: string }).platform).toBe('node')
    expect(itemJson(envelope.items[1]!)).toMatchObject({ ok: true, value: { discarded_events: [{ reason: 'sample_rate', quantity: 3 }] } })
  })
})

describe('parseEnvelope: framing', () => {
  const header = `{"event_id":"${EVENT_ID}"}`

  it('accepts a trailing newline or none, and empty payloads', () => {
    for (const text of [`${header}\n{"type":"event"}\n{}`, `${header}\n{"type":"event"}\n{}\n`]) {
      expect(decoder.decode(parsed(text).items[0]!.payload)).toBe('{}')
    }
    const empty = parsed(`${header}\n{"type":"attachment","length":0}\n\n{"type":"session"}\n\n{"type":"event"}`)
    expect(empty.items.map((item) => [item.headers.type, item.payload.byteLength])).toEqual([
      ['attachment', 0],
      ['session', 0],
      ['event', 0],
    ])
    expect(parsed(`${header}\n`).items).toEqual([])
    expect(parsed(header).items).toEqual([])
    expect(parsed(`${header}\n{"type":"attachment","length":0}`).items[0]!.payload.byteLength).toBe(0)
  })

  it('keeps \\r as payload content', () => {
    const envelope = parsed(`${header}\r\n{"type":"event"}\r\n{"a":1}\r\n`)
    expect(decoder.decode(envelope.items[0]!.payload)).toBe('{"a":1}\r')
  })

  it('keeps items of unknown types', () => {
    const envelope = parsed(`${header}\n{"type":"future_thing","length":3}\nabc\n{"type":"event"}\n{}`)
    expect(envelope.items.map((item) => item.headers.type)).toEqual(['future_thing', 'event'])
  })

  it('treats a null length as absent', () => {
    const envelope = parsed(`${header}\n{"type":"event","length":null}\n{}`)
    expect(envelope.items[0]!.headers).toEqual({ type: 'event' })
  })

  it('refuses lengths beyond the end, and bad lengths', () => {
    expect(refused(`${header}\n{"type":"attachment","length":10}\nabc`)).toMatchObject({ status: 400, reason: expect.stringContaining('item length exceeds envelope') })
    expect(refused(`${header}\n{"type":"attachment","length":1}`)).toMatchObject({ status: 400, reason: expect.stringContaining('item length exceeds envelope') })
    for (const length of ['-1', '1.5', '"3"', 'true', '1e400', '9007199254740993']) {
      expect(refused(`${header}\n{"type":"attachment","length":${length}}\nabc`), length).toMatchObject({ status: 400, reason: expect.stringContaining('invalid length') })
    }
  })

  it('refuses a length that is short of the payload (no newline where one must be)', () => {
    expect(refused(`${header}\n{"type":"attachment","length":0}\n{"type":"event"}\n{}`).status).toBe(400)
    expect(refused(`${header}\n{"type":"attachment","length":2}\nabc\n`)).toMatchObject({ status: 400, reason: expect.stringContaining('not followed by a newline') })
  })

  it('refuses truncated envelopes', () => {
    const full = sentryBytes(createEnvelope({ event_id: EVENT_ID }, [createAttachmentEnvelopeItem({ data: 'x'.repeat(100), filename: 'a' })]))
    for (let cut = 1; cut < full.byteLength; cut += 7) {
      const result = parseEnvelope(full.subarray(0, cut), limits)
      // Cuts inside a JSON header or inside the declared payload are refused; a cut inside the
      // envelope header line yields invalid JSON. None may be accepted as the full attachment.
      if (result.ok) expect(result.envelope.items.every((item) => item.payload.byteLength < 100)).toBe(true)
      else expect(result.status).toBe(400)
    }
    expect(refused(full.subarray(0, full.byteLength - 1)).reason).toContain('item length exceeds envelope')
  })
})

describe('parseEnvelope: headers', () => {
  it('refuses header lines that are not JSON objects', () => {
    for (const line of ['[]', '"text"', '42', 'null', 'not json', '{"event_id":', '   ']) {
      expect(refused(`${line}\n{"type":"event"}\n{}`), line).toMatchObject({ status: 400 })
    }
    for (const line of ['[]', '"event"', '{"length":2}', '{"type":""}', '{"type":5}', '{"type":"event"']) {
      expect(refused(`{}\n${line}\n{}`), line).toMatchObject({ status: 400 })
    }
    expect(refused('')).toEqual({ ok: false, status: 400, reason: 'empty envelope' })
  })

  it('refuses invalid UTF-8 in headers but allows it in payloads with length', () => {
    const bad = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])
    const envelopeHeader = new Uint8Array([...bad, 0x0a, ...bytes('{"type":"event"}\n{}')])
    expect(refused(envelopeHeader)).toEqual({ ok: false, status: 400, reason: 'envelope header is not valid UTF-8' })
    const itemHeader = new Uint8Array([...bytes('{}\n'), ...bad, 0x0a])
    expect(refused(itemHeader)).toEqual({ ok: false, status: 400, reason: 'item 0 header is not valid UTF-8' })
    const payload = new Uint8Array([...bytes('{}\n{"type":"attachment","length":2}\n'), 0xff, 0xfe])
    expect([...parsed(payload).items[0]!.payload]).toEqual([0xff, 0xfe])
  })

  it('validates the envelope header fields it relies on', () => {
    expect(refused('{"event_id":"nope"}')).toMatchObject({ status: 400, reason: expect.stringContaining('event_id') })
    expect(refused('{"dsn":42}')).toMatchObject({ status: 400, reason: expect.stringContaining('dsn') })
    expect(refused('{"sdk":"x"}')).toMatchObject({ status: 400, reason: expect.stringContaining('sdk') })
    expect(parsed('{"event_id":"9ec79c33-ec99-42ab-8353-589fcb2e04dc","trace":{"trace_id":"abc"}}').headers.trace).toEqual({ trace_id: 'abc' })
  })

})

describe('parseEnvelope: limits and hostile input', () => {
  it('refuses huge header lines after a bounded scan', () => {
    const huge = (size: number) => bytes(`{"event_id":"${EVENT_ID}","pad":"${'x'.repeat(size)}"}\n`)
    const [small, large] = [huge(MiB), huge(8 * MiB)]
    expect(refused(large)).toEqual({ ok: false, status: 413, reason: 'envelope header exceeds 16384 bytes' })
    // Bounded: refusing a line 8 times as long costs about the same, not 8 times as much.
    const growth = costGrowth(() => refused(small), () => refused(large))
    expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(3)
    expect(refused(`{}\n{"type":"event","pad":"${'x'.repeat(20_000)}"}\n{}`)).toMatchObject({ status: 413, reason: expect.stringContaining('item 0 header exceeds') })
    expect(parsed(`{"pad":"${'x'.repeat(16 * 1024 - 10)}"}`).headers.pad).toHaveLength(16 * 1024 - 10)
  })

  it('refuses too many items and oversized items, with or without length', () => {
    const many = `{}\n${'{"type":"session"}\n{}\n'.repeat(101)}`
    expect(refused(many)).toEqual({ ok: false, status: 413, reason: 'envelope has more than 100 items' })
    expect(parsed(`{}\n${'{"type":"session"}\n{}\n'.repeat(100)}`).items).toHaveLength(100)

    const small = { ...limits, maxItemBytes: 10 }
    expect(refused(`{}\n{"type":"event"}\n${'x'.repeat(11)}`, small)).toEqual({ ok: false, status: 413, reason: 'event item exceeds 10 bytes' })
    expect(refused(`{}\n{"type":"event","length":11}\n${'x'.repeat(11)}`, small)).toEqual({ ok: false, status: 413, reason: 'event item exceeds 10 bytes' })
    expect(parsed(`{}\n{"type":"event"}\n${'x'.repeat(10)}`, small).items[0]!.payload.byteLength).toBe(10)
    const perType = { ...small, maxItemBytesByType: { attachment: 100 } }
    expect(parsed(`{}\n{"type":"attachment","length":50}\n${'x'.repeat(50)}`, perType).items[0]!.payload.byteLength).toBe(50)    // Item types named like Object.prototype members get the default limit like any other type.
    for (const type of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(refused(`{}\n{"type":"${type}"}\n${'x'.repeat(11)}`, perType), type).toEqual({ ok: false, status: 413, reason: `${type} item exceeds 10 bytes` })
      expect(refused(`{}\n{"type":"${type}","length":11}\n${'x'.repeat(11)}`, perType), type).toMatchObject({ status: 413 })
    }
  })

  it('refuses 100,000-deep nesting in headers without overflowing the stack', () => {
    const deep = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`
    expect(refused(`${deep}\n`, { ...limits, maxHeaderBytes: MiB })).toMatchObject({ status: 400, reason: expect.stringContaining('nested deeper than 64') })
    expect(refused(`{}\n{"type":"event","x":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}\n{}`)).toMatchObject({ status: 400 })
    const brackets = `{"a":"${'['.repeat(1000)}"}`
    expect(parsed(brackets).headers.a).toHaveLength(1000)
    const escaped = `{"a":"\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\\"}`
    expect(parsed(escaped, { ...limits, maxJsonDepth: 2 }).headers.a).toMatch(/^"\[+\\$/)
  })

  it('survives random garbage without throwing', () => {
    for (let i = 0; i < 300; i++) {
      const garbage = randomBytes(1 + (i % 200))
      if (i % 3 === 0) garbage[Math.floor(garbage.byteLength / 2)] = 0x0a
      const result = parseEnvelope(garbage, limits)
      expect(typeof result.ok).toBe('boolean')
    }
  })
})

describe('itemJson', () => {
  const item = (payload: string | Uint8Array) => ({ headers: { type: 'event' }, payload: typeof payload === 'string' ? bytes(payload) : payload })

  it('parses JSON payloads and refuses invalid ones with a reason', () => {
    expect(itemJson(item('{"a":[1,2]}'))).toEqual({ ok: true, value: { a: [1, 2] } })
    expect(itemJson(item(''))).toMatchObject({ ok: false, status: 400, reason: expect.stringContaining('event item is not valid JSON') })
    expect(itemJson(item('{"a":'))).toMatchObject({ ok: false, status: 400 })
    expect(itemJson(item(new Uint8Array([0x22, 0xc3, 0x28, 0x22])))).toEqual({ ok: false, status: 400, reason: 'event item is not valid UTF-8' })
  })

  it('refuses 100,000- and 800,000-deep payloads in time linear in their size', () => {
    const deep = (n: number) => item('['.repeat(n) + ']'.repeat(n))
    const [small, large] = [deep(100_000), deep(800_000)]
    expect(itemJson(large)).toMatchObject({ ok: false, reason: expect.stringContaining('nested deeper than 64') })
    expect(itemJson(item('{"a":'.repeat(100_000)))).toMatchObject({ ok: false })
    const growth = costGrowth(() => itemJson(small), () => itemJson(large))
    expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(superLinearGrowth)
    expect(itemJson(item(`${'['.repeat(64)}${']'.repeat(64)}`)).ok).toBe(true)
    expect(itemJson(item(`${'['.repeat(65)}${']'.repeat(65)}`)).ok).toBe(false)
  })
})

describe('serializeEnvelope', () => {
  it('round-trips headers and binary payloads, adding byte lengths', () => {
    const payloads = [bytes('{"message":"héllo\\nworld"}'), new Uint8Array([10, 10, 0, 255]), new Uint8Array(0), bytes('line\nbreak')]
    const items = payloads.map((payload, i) => ({ headers: { type: i === 0 ? 'event' : 'attachment', filename: `f${i}` }, payload }))
    const headers = { event_id: EVENT_ID, dsn: DSN, sent_at: '2025-01-01T00:00:00.000Z', sdk: { name: 'faultline.node', version: '0.1.0' } }
    const envelope = parsed(serializeEnvelope(headers, items))
    expect(envelope.headers).toEqual(headers)
    expect(envelope.items.map((item) => item.headers)).toEqual(items.map((item) => ({ ...item.headers, length: item.payload.byteLength })))
    expect(envelope.items.map((item) => [...item.payload])).toEqual(payloads.map((payload) => [...payload]))
    expect(serializeEnvelope(envelope.headers, envelope.items)).toEqual(serializeEnvelope(headers, items))
  })

  it('writes lengths in bytes, not characters', () => {
    const text = decoder.decode(serializeEnvelope({}, [{ headers: { type: 'event' }, payload: bytes('é€😀') }]))
    expect(text).toBe('{}\n{"type":"event","length":9}\né€😀\n')
  })
})
