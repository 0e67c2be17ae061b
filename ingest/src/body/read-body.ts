import type { Readable, Transform } from 'node:stream'
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib'
import { parseContentEncoding, type BodyEncoding } from './content-encoding'
import type { BodySource } from './body-source'
import { BodyTooSlowError } from './minimum-rate'

export type BodyResult = { ok: true; bytes: Uint8Array } | { ok: false; status: 400 | 408 | 413 | 415; reason: string }

export interface ReadBodyOptions {
  /** The request's `Content-Encoding` header; absent, empty or `identity` means no compression. */
  contentEncoding?: string | null
  /** Bytes accepted off the wire, before decompression. */
  maxCompressedBytes: number
  /** Bytes accepted after decompression (for identity bodies the wire bytes count here too). */
  maxDecompressedBytes: number
  /** Aborts the read, e.g. when the client disconnects or a deadline passes. */
  signal?: AbortSignal
}

type Failure = Extract<BodyResult, { ok: false }>

/**
 * Reads a request body chunk by chunk under both limits and decompresses it. Nothing unbounded is
 * ever held: the wire bytes are counted as they arrive and the decompressed output as it is
 * produced, and the read stops (stream cancelled, decoder destroyed) the moment either passes its
 * limit, so a decompression bomb costs at most `maxDecompressedBytes` of memory. An empty body is
 * empty whatever its declared encoding.
 */
export async function readBody(body: ReadableStream<Uint8Array> | BodySource | null, options: ReadBodyOptions): Promise<BodyResult> {
  const reader = body !== null && 'getReader' in body ? body.getReader() : body
  const encoding = parseContentEncoding(options.contentEncoding)
  if (!encoding.ok) {
    if (reader !== null) abandon(reader)
    return { ok: false, status: 415, reason: encoding.reason }
  }
  if (reader === null) return { ok: true, bytes: new Uint8Array(0) }
  if (options.signal?.aborted) {
    abandon(reader)
    return aborted()
  }
  return encoding.encoding === 'identity' ? readIdentity(reader, options) : readDecoded(reader, encoding.encoding, options)
}

/**
 * A Node request body as a BodySource, read straight off the stream: turning it into a web
 * ReadableStream (as `Request.body` does) costs more per request than the rest of reading it.
 * A client that goes away mid-body makes read() reject; cancel() destroys the stream.
 */
export function nodeBodySource(incoming: Readable): BodySource {
  const chunks = incoming[Symbol.asyncIterator]() as AsyncIterator<Uint8Array, undefined>
  return {
    read: () => chunks.next() as Promise<ReadableStreamReadResult<Uint8Array>>,
    cancel: async () => {
      await chunks.return?.()
    },
  }
}

async function readIdentity(reader: BodySource, options: ReadBodyOptions): Promise<BodyResult> {
  const chunks: Uint8Array[] = []
  let size = 0
  const onAbort = () => abandon(reader)
  options.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    for (;;) {
      const next = await readChunk(reader, options.signal)
      if (!next.ok) return next
      if (next.chunk === undefined) return { ok: true, bytes: concat(chunks, size) }
      size += next.chunk.byteLength
      const over = overLimit(size, options)
      if (over !== undefined) {
        abandon(reader)
        return over
      }
      chunks.push(next.chunk)
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
  }
}

function readDecoded(reader: BodySource, encoding: Exclude<BodyEncoding, 'identity'>, options: ReadBodyOptions): Promise<BodyResult> {
  return new Promise((resolve) => {
    const output: Uint8Array[] = []
    let outputSize = 0
    let inputSize = 0
    let decoder: Transform | undefined
    // Bytes held back until the decoder can be chosen (deflate needs two bytes to tell zlib from raw).
    let head: Uint8Array = new Uint8Array(0)
    let settled = false
    // The decoder can reach the end of the compressed stream before the body ends: the body is
    // complete only when both have ended, and bytes after the stream's end are refused.
    let decoded = false
    let inputEnded = false
    let writtenToDecoder = 0
    const trailing = (): Failure => ({ ok: false, status: 400, reason: `invalid ${encoding} body: data after the end of the compressed stream` })
    const complete = (): void => finish({ ok: true, bytes: concat(output, outputSize) })

    const finish = (result: BodyResult): void => {
      if (settled) return
      settled = true
      options.signal?.removeEventListener('abort', onAbort)
      if (!result.ok) {
        abandon(reader)
        decoder?.destroy()
      }
      resolve(result)
    }
    const onAbort = (): void => finish(aborted())
    options.signal?.addEventListener('abort', onAbort, { once: true })

    const start = (first: Uint8Array): Transform => {
      const created = createDecoder(encoding, first)
      created.on('data', (chunk: Buffer) => {
        if (settled) return
        outputSize += chunk.byteLength
        if (outputSize > options.maxDecompressedBytes) {
          finish(tooLarge(`decompressed body exceeds ${options.maxDecompressedBytes} bytes`))
          return
        }
        output.push(chunk)
      })
      created.on('error', (error: Error) => finish({ ok: false, status: 400, reason: `invalid ${encoding} body: ${error.message}` }))
      created.on('end', () => {
        decoded = true
        // zlib stops at the end of the stream and drops what follows in the bytes it was given.
        if ((created as Transform & { bytesWritten: number }).bytesWritten < writtenToDecoder) finish(trailing())
        else if (inputEnded) complete()
      })
      return created
    }

    const pump = async (): Promise<void> => {
      while (!settled) {
        const next = await readChunk(reader, options.signal)
        if (settled) return
        if (!next.ok) return finish(next)
        const chunk = next.chunk
        if (chunk === undefined) {
          inputEnded = true
          if (decoded) complete()
          else if (decoder !== undefined) decoder.end()
          else if (head.byteLength === 0) finish({ ok: true, bytes: new Uint8Array(0) })
          else {
            decoder = start(head)
            writtenToDecoder += head.byteLength
            decoder.end(head)
          }
          return
        }
        if (decoded && chunk.byteLength > 0) return finish(trailing())
        inputSize += chunk.byteLength
        if (inputSize > options.maxCompressedBytes) return finish(tooLarge(`body exceeds ${options.maxCompressedBytes} bytes`))
        let toWrite = chunk
        if (decoder === undefined) {
          head = join(head, chunk)
          if (head.byteLength < 2 && encoding === 'deflate') continue
          decoder = start(head)
          toWrite = head
        }
        writtenToDecoder += toWrite.byteLength
        if (!decoder.write(toWrite)) await drained(decoder)
      }
    }
    pump().catch((error: unknown) => finish({ ok: false, status: 400, reason: `request body could not be read: ${messageOf(error)}` }))
  })
}

/**
 * `deflate` is ambiguous in practice: RFC 9110 means zlib-wrapped data, but some clients send raw
 * deflate. Like Sentry's relay, accept both, telling them apart by the zlib header check
 * (CM = 8 and the 16-bit header a multiple of 31).
 */
function createDecoder(encoding: Exclude<BodyEncoding, 'identity'>, first: Uint8Array): Transform {
  switch (encoding) {
    case 'gzip':
      return createGunzip()
    case 'br':
      return createBrotliDecompress()
    case 'deflate':
      return isZlibHeader(first) ? createInflate() : createInflateRaw()
  }
}

function isZlibHeader(bytes: Uint8Array): boolean {
  const cmf = bytes[0]
  const flg = bytes[1]
  if (cmf === undefined || flg === undefined) return false
  return (cmf & 0x0f) === 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 === 0
}

type ChunkResult = { ok: true; chunk: Uint8Array | undefined } | Failure

async function readChunk(reader: BodySource, signal: AbortSignal | undefined): Promise<ChunkResult> {
  try {
    const { done, value } = await reader.read()
    if (signal?.aborted) return aborted()
    return { ok: true, chunk: done ? undefined : value }
  } catch (error) {
    if (signal?.aborted) return aborted()
    if (error instanceof BodyTooSlowError) return { ok: false, status: 408, reason: error.message }
    return { ok: false, status: 400, reason: `request body could not be read: ${messageOf(error)}` }
  }
}

function overLimit(size: number, options: ReadBodyOptions): Failure | undefined {
  if (size > options.maxCompressedBytes) return tooLarge(`body exceeds ${options.maxCompressedBytes} bytes`)
  if (size > options.maxDecompressedBytes) return tooLarge(`body exceeds ${options.maxDecompressedBytes} bytes`)
  return undefined
}

function drained(stream: Transform): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done)
      stream.off('close', done)
      stream.off('end', done)
      resolve()
    }
    // 'end': a decoder that reached the end of its stream takes no more input and never drains.
    stream.on('drain', done)
    stream.on('close', done)
    stream.on('end', done)
  })
}

/**
 * Stops reading a body the caller no longer wants. A failure to cancel changes nothing for the
 * caller (the answer is already decided and the connection is the server's to close), so it is
 * deliberately not reported.
 */
function abandon(reader: BodySource): void {
  reader.cancel().then(
    () => undefined,
    () => undefined,
  )
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  // A fresh buffer rather than Buffer.concat: small Buffers come from a shared pool, and the body
  // must not carry other requests' bytes in its underlying ArrayBuffer.
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b
  return concat([a, b], a.byteLength + b.byteLength)
}

const tooLarge = (reason: string): Failure => ({ ok: false, status: 413, reason })
const aborted = (): Failure => ({ ok: false, status: 400, reason: 'request aborted' })
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
