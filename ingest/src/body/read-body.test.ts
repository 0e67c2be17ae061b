import { randomBytes } from 'node:crypto'
import type { Transform } from 'node:stream'
import { brotliCompressSync, constants, createBrotliCompress, createDeflate, deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { readBody, type ReadBodyOptions } from './read-body'

const MiB = 1024 * 1024
const limits = { maxCompressedBytes: 1 * MiB, maxDecompressedBytes: 4 * MiB }

interface Tracked {
  stream: ReadableStream<Uint8Array>
  pulled: () => number
  cancelled: () => boolean
}

/** A body stream served in `chunkSize` pieces, recording how much was pulled and whether it was cancelled. */
function bodyStream(bytes: Uint8Array, chunkSize = 64 * 1024): Tracked {
  let offset = 0
  let pulled = 0
  let cancelled = false
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close()
      const chunk = bytes.subarray(offset, offset + chunkSize)
      offset += chunk.byteLength
      pulled += chunk.byteLength
      controller.enqueue(chunk)
    },
    cancel() {
      cancelled = true
    },
  })
  return { stream, pulled: () => pulled, cancelled: () => cancelled }
}

/** An endless stream of `chunk`, yielding to the event loop between chunks as a socket would. */
function endlessStream(chunk: Uint8Array): Tracked {
  let pulled = 0
  let cancelled = false
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setImmediate(resolve))
      pulled += chunk.byteLength
      controller.enqueue(chunk)
    },
    cancel() {
      cancelled = true
    },
  })
  return { stream, pulled: () => pulled, cancelled: () => cancelled }
}

const read = (bytes: Uint8Array, options: Partial<ReadBodyOptions> = {}) =>
  readBody(bodyStream(bytes).stream, { ...limits, ...options })

const text = new TextEncoder().encode('{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}\n{"type":"event"}\n{"message":"hi"}\n'.repeat(50))

describe('readBody: encodings', () => {
  it('returns identity bodies unchanged, whatever the chunking', async () => {
    for (const chunkSize of [1, 7, 4096]) {
      const result = await readBody(bodyStream(text, chunkSize).stream, limits)
      expect(result).toEqual({ ok: true, bytes: text })
    }
  })

  it('treats absent, empty and identity headers as identity', async () => {
    for (const contentEncoding of [undefined, null, '', 'identity', ' Identity ']) {
      expect(await read(text, { contentEncoding })).toEqual({ ok: true, bytes: text })
    }
  })

  it('decompresses gzip, x-gzip, zlib deflate, raw deflate and br bodies made by node:zlib', async () => {
    const cases: Array<[string, Uint8Array]> = [
      ['gzip', gzipSync(text)],
      ['GZIP', gzipSync(text)],
      ['x-gzip', gzipSync(text)],
      ['deflate', deflateSync(text)],
      ['deflate', deflateRawSync(text)],
      ['br', brotliCompressSync(text)],
    ]
    for (const [contentEncoding, compressed] of cases) {
      for (const chunkSize of [1, 3, 65536]) {
        const result = await readBody(bodyStream(compressed, chunkSize).stream, { ...limits, contentEncoding })
        expect(result, `${contentEncoding} in chunks of ${chunkSize}`).toEqual({ ok: true, bytes: text })
      }
    }
  })

  it('decompresses incompressible binary data intact', async () => {
    const binary = randomBytes(300 * 1024)
    const result = await read(gzipSync(binary), { contentEncoding: 'gzip' })
    expect(result.ok && Buffer.from(result.bytes).equals(binary)).toBe(true)
  })

  it('does not sniff gzip magic bytes when no encoding is declared', async () => {
    const compressed = gzipSync(text)
    expect(await read(compressed)).toEqual({ ok: true, bytes: new Uint8Array(compressed) })
  })

  it('refuses unknown and stacked encodings with 415 without reading the body', async () => {
    for (const contentEncoding of ['compress', 'zstd', 'gzip, br', 'gzip,gzip', 'deflate, gzip']) {
      const body = bodyStream(gzipSync(text))
      const result = await readBody(body.stream, { ...limits, contentEncoding })
      expect(result.ok ? 0 : result.status, contentEncoding).toBe(415)
      expect(body.pulled()).toBeLessThanOrEqual(64 * 1024)
      expect(body.cancelled()).toBe(true)
    }
  })

  it('returns an empty body for a null or empty stream, whatever the encoding', async () => {
    expect(await readBody(null, limits)).toEqual({ ok: true, bytes: new Uint8Array(0) })
    expect(await read(new Uint8Array(0), { contentEncoding: 'gzip' })).toEqual({ ok: true, bytes: new Uint8Array(0) })
    expect(await read(new Uint8Array(0), { contentEncoding: 'deflate' })).toEqual({ ok: true, bytes: new Uint8Array(0) })
  })
})

describe('readBody: broken compressed data', () => {
  it('answers 400 for garbage under each encoding', async () => {
    const garbage = new TextEncoder().encode('this is not compressed at all, not even slightly')
    for (const contentEncoding of ['gzip', 'deflate', 'br']) {
      const result = await read(garbage, { contentEncoding })
      expect(result.ok ? 0 : result.status, contentEncoding).toBe(400)
      expect(result.ok ? '' : result.reason).toContain(`invalid ${contentEncoding} body`)
    }
  })

  it('answers 400 for truncated gzip, deflate and br bodies', async () => {
    const big = randomBytes(50_000)
    for (const [contentEncoding, compressed] of [
      ['gzip', gzipSync(big)],
      ['deflate', deflateSync(big)],
      ['br', brotliCompressSync(big)],
    ] as const) {
      const truncated = compressed.subarray(0, compressed.byteLength - 10)
      const result = await read(truncated, { contentEncoding })
      expect(result.ok ? 0 : result.status, contentEncoding).toBe(400)
    }
    const oneByte = await read(gzipSync(text).subarray(0, 1), { contentEncoding: 'deflate' })
    expect(oneByte.ok).toBe(false)
  })

  it('answers 400 for a gzip body followed by garbage', async () => {
    const result = await read(Buffer.concat([gzipSync(text), Buffer.from('trailing junk')]), { contentEncoding: 'gzip' })
    expect(result.ok ? 0 : result.status).toBe(400)
  })

  it('answers 400 when the stream errors or the signal aborts', async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('socket hang up'))
      },
    })
    expect(await readBody(failing, limits)).toEqual({ ok: false, status: 400, reason: 'request body could not be read: socket hang up' })

    const controller = new AbortController()
    const body = endlessStream(new Uint8Array(10))
    const pending = readBody(body.stream, { ...limits, maxCompressedBytes: Number.MAX_SAFE_INTEGER, maxDecompressedBytes: Number.MAX_SAFE_INTEGER, signal: controller.signal })
    setTimeout(() => controller.abort(), 20)
    expect(await pending).toEqual({ ok: false, status: 400, reason: 'request aborted' })
    expect(body.cancelled()).toBe(true)

    const gz = endlessStream(gzipSync(text))
    const gzController = new AbortController()
    gzController.abort()
    expect(await readBody(gz.stream, { ...limits, contentEncoding: 'gzip', signal: gzController.signal })).toMatchObject({ status: 400 })
  })
})

describe('readBody: limits', () => {
  it('stops reading an endless identity body just past the limit and cancels it', async () => {
    const body = endlessStream(new Uint8Array(16 * 1024))
    const result = await readBody(body.stream, { maxCompressedBytes: MiB, maxDecompressedBytes: 10 * MiB })
    expect(result).toEqual({ ok: false, status: 413, reason: `body exceeds ${MiB} bytes` })
    expect(body.pulled()).toBeLessThanOrEqual(MiB + 16 * 1024 * 4)
    expect(body.cancelled()).toBe(true)
  })

  it('applies the decompressed limit to identity bodies too', async () => {
    const result = await readBody(bodyStream(new Uint8Array(2000)).stream, { maxCompressedBytes: 10_000, maxDecompressedBytes: 1000 })
    expect(result).toMatchObject({ ok: false, status: 413 })
  })

  it('accepts a body of exactly the limit', async () => {
    const exact = new Uint8Array(1000).fill(65)
    expect(await readBody(bodyStream(exact, 100).stream, { maxCompressedBytes: 1000, maxDecompressedBytes: 1000 })).toEqual({ ok: true, bytes: exact })
    const gz = gzipSync(exact)
    expect(await readBody(bodyStream(gz).stream, { contentEncoding: 'gzip', maxCompressedBytes: gz.byteLength, maxDecompressedBytes: 1000 })).toEqual({ ok: true, bytes: exact })
    expect(await readBody(bodyStream(gz).stream, { contentEncoding: 'gzip', maxCompressedBytes: gz.byteLength - 1, maxDecompressedBytes: 1000 })).toMatchObject({ status: 413 })
    expect(await readBody(bodyStream(gz).stream, { contentEncoding: 'gzip', maxCompressedBytes: gz.byteLength, maxDecompressedBytes: 999 })).toMatchObject({ status: 413 })
  })

  it('refuses bytes after the end of the compressed stream, whatever the encoding', async () => {
    const text = new TextEncoder().encode('{"event_id":"x"}')
    const compressed = { gzip: gzipSync(text), deflate: deflateSync(text), br: brotliCompressSync(text) }
    for (const [contentEncoding, bytes] of Object.entries(compressed)) {
      // Trailing bytes in their own chunk, after the decoder has seen the whole stream.
      const body = bodyStream(new Uint8Array([...bytes, ...new TextEncoder().encode('trailing junk')]), bytes.byteLength)
      const result = await readBody(body.stream, { ...limits, contentEncoding })
      expect(result, contentEncoding).toMatchObject({ ok: false, status: 400 })
      // The same stream without them is read whole.
      expect(await readBody(bodyStream(bytes, 3).stream, { ...limits, contentEncoding }), contentEncoding).toEqual({ ok: true, bytes: text })
    }
  })

  it('stops an endless compressed body at the compressed limit', async () => {
    const body = endlessStream(randomBytes(8192))
    const result = await readBody(body.stream, { contentEncoding: 'br', maxCompressedBytes: 100_000, maxDecompressedBytes: 10 * MiB })
    // Random bytes are not brotli: either the decoder rejects them or the limit stops them first.
    expect(result.ok).toBe(false)
    expect(body.cancelled()).toBe(true)
  })
})

describe('readBody: decompression bombs', () => {
  /** Compresses `total` zero bytes by streaming one zeroed MiB repeatedly, so the test never holds `total` bytes. */
  async function zeros(compressor: Transform, total: number): Promise<Buffer> {
    const chunk = Buffer.alloc(MiB)
    const parts: Buffer[] = []
    compressor.on('data', (part: Buffer) => parts.push(part))
    const ended = new Promise((resolve, reject) => compressor.on('end', resolve).on('error', reject))
    for (let written = 0; written < total; written += MiB) {
      if (!compressor.write(chunk)) await new Promise((resolve) => compressor.once('drain', resolve))
    }
    compressor.end()
    await ended
    return Buffer.concat(parts)
  }

  const GiB = 1024 * MiB
  const bombs: Record<string, Buffer> = {}
  beforeAll(async () => {
    // gzip: 1 GiB of zeros as 16 members of 64 MiB each (gzip allows concatenated members): ~1 MB on the wire.
    const member = gzipSync(Buffer.alloc(64 * MiB), { level: 9 })
    bombs.gzip = Buffer.concat(Array.from({ length: 16 }, () => member))
    bombs.deflate = await zeros(createDeflate({ level: 1 }), 256 * MiB)
    bombs.br = await zeros(createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }), GiB)
  }, 60_000)

  it.each(['gzip', 'deflate', 'br'])('refuses a %s bomb at the decompressed limit, with bounded memory and the rest left unread', async (contentEncoding) => {
    const bomb = bombs[contentEncoding] as Buffer
    const body = bodyStream(bomb)
    const before = process.memoryUsage().arrayBuffers
    const result = await readBody(body.stream, { contentEncoding, maxCompressedBytes: 20 * MiB, maxDecompressedBytes: 10 * MiB })
    const grown = process.memoryUsage().arrayBuffers - before
    expect(result).toEqual({ ok: false, status: 413, reason: `decompressed body exceeds ${10 * MiB} bytes` })
    // A bomb that fits in one chunk is fully read before the decoder overflows: nothing left to cancel.
    expect(body.cancelled() || body.pulled() === bomb.byteLength).toBe(true)
    expect(grown).toBeLessThan(64 * MiB)
    // How fast it is refused is measured by `npm run bench -- input-costs`.
    console.info(`${contentEncoding} bomb: ${bomb.byteLength} compressed bytes refused; pulled ${body.pulled()} bytes; arrayBuffers grew ${(grown / MiB).toFixed(1)} MiB`)
  })
})
