import { deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { parseStoreBody } from './store-body'

const bytes = (text: string) => new TextEncoder().encode(text)
const limits = { maxBytes: 1024 * 1024 }
const event = { event_id: '9ec79c33ec9942ab8353589fcb2e04dc', message: 'boom', extra: { n: [1, 2] } }

describe('parseStoreBody', () => {
  it('parses a JSON event, with leading whitespace', () => {
    expect(parseStoreBody(bytes(JSON.stringify(event)), limits)).toEqual({ ok: true, event })
    expect(parseStoreBody(bytes(`\n  ${JSON.stringify(event)}`), limits)).toEqual({ ok: true, event })
  })

  it('accepts the legacy base64 and base64-of-zlib forms', () => {
    const json = JSON.stringify(event)
    expect(parseStoreBody(bytes(Buffer.from(json).toString('base64')), limits)).toEqual({ ok: true, event })
    expect(parseStoreBody(bytes(deflateSync(json).toString('base64')), limits)).toEqual({ ok: true, event })
  })

  it('refuses oversized events, before and after legacy decompression', () => {
    expect(parseStoreBody(bytes(JSON.stringify({ pad: 'x'.repeat(2000) })), { maxBytes: 1000 })).toEqual({ ok: false, status: 413, reason: 'event exceeds 1000 bytes' })
    const bomb = deflateSync(JSON.stringify({ pad: ' '.repeat(10_000_000) })).toString('base64')
    expect(parseStoreBody(bytes(bomb), { maxBytes: 100_000 })).toEqual({ ok: false, status: 413, reason: 'decompressed event exceeds 100000 bytes' })
  })

  it('refuses bodies that are not a JSON object', () => {
    for (const body of ['', '   ', '[1]', 'null', '"x"', '{"a":', 'not base64!', Buffer.from('garbage').toString('base64')]) {
      const result = parseStoreBody(bytes(body), limits)
      expect(result.ok ? 0 : result.status, body).toBe(400)
    }
    expect(parseStoreBody(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), limits)).toEqual({ ok: false, status: 400, reason: 'event is not valid UTF-8' })
  })

  it('refuses 100,000-deep nesting', () => {
    const deep = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`
    expect(parseStoreBody(bytes(deep), limits)).toMatchObject({ ok: false, status: 400, reason: expect.stringContaining('nested deeper') })
  })
})
