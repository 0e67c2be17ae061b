import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import { logger, type MakeRequest, type TransportResponse } from '@faultline/sdk-core'
import { createHttp1Client } from './http1-client'

const gzipAsync = promisify(gzip)

/**
 * Sentry's Node transport compresses from 32 KiB ("estimated maximum size for reasonable standalone
 * event"), and so does this one: an error event with context lines is ~5-15 KiB, and compressing it
 * costs the host more CPU than the few kilobytes it saves. Replays and attachments are compressed.
 */
export const defaultGzipThreshold = 32 * 1024

export interface NodeTransportOptions {
  /** Bodies above this many bytes are gzipped (in the thread pool). Default 32 KiB. */
  gzipThreshold?: number
  /** Per-request limit; a stuck ingest costs the SDK a socket, never the host a request. Default 10 s. */
  timeoutMs?: number
  /** Sockets kept open to ingest. Default 4. */
  maxSockets?: number
  /** Idle sockets older than this are not reused (servers close idle keep-alive sockets). Default 4 s. */
  idleMs?: number
  /**
   * Certificates trusted for an https ingest besides Node's bundled roots (a private CA), PEM. When
   * set, certificates from NODE_EXTRA_CA_CERTS are not added: include them here.
   */
  ca?: string | Buffer
  /** Extra request headers, e.g. for a proxy in front of ingest. */
  headers?: Record<string, string>
}

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/
/** Set by the transport itself: the framing and the envelope's type are not the caller's to change. */
const reserved = new Set(['content-length', 'content-encoding', 'content-type', 'transfer-encoding', 'connection', 'upgrade', 'expect'])

/**
 * The request head shared by every envelope: request line, Host (the caller's, e.g. for a proxy
 * routing by name, or the URL's), content type and extra headers. Invalid or reserved extra
 * headers are left out with a warning.
 */
function requestHead(target: URL, extra: Record<string, string> = {}): string {
  let host = target.host
  let lines = ''
  for (const [name, raw] of Object.entries(extra)) {
    const value = String(raw)
    if (!headerName.test(name) || !headerValue.test(value) || reserved.has(name.toLowerCase())) {
      logger.warn(`transport header ${JSON.stringify(name)} is not a valid extra header; left out`)
      continue
    }
    if (name.toLowerCase() === 'host') host = value
    else lines += `${name}: ${value}\r\n`
  }
  return `POST ${target.pathname}${target.search} HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/x-sentry-envelope\r\n${lines}`
}

/** `value` if it is a positive finite number, else `fallback`: a zero pool or timeout would stall every send. */
const positive = (value: number | undefined, fallback: number): number => (value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback)

export function makeNodeRequest(url: string, options: NodeTransportOptions = {}): MakeRequest {
  const target = new URL(url)
  const client = createHttp1Client(target, {
    maxSockets: Math.floor(positive(options.maxSockets, 4)) || 1,
    timeoutMs: positive(options.timeoutMs, 10_000),
    idleMs: positive(options.idleMs, 4000),
    ca: options.ca,
  })
  const threshold = options.gzipThreshold ?? defaultGzipThreshold
  // Everything but the length and encoding is the same for every envelope.
  const head = requestHead(target, options.headers)

  return async ({ body }): Promise<TransportResponse> => {
    let payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    let encoding = ''
    if (payload.length > threshold) {
      payload = await gzipAsync(payload)
      encoding = 'content-encoding: gzip\r\n'
    }
    const response = await client.request(`${head}${encoding}content-length: ${payload.length}\r\n`, payload)
    return {
      statusCode: response.statusCode,
      headers: { 'x-sentry-rate-limits': response.headers['x-sentry-rate-limits'] ?? null, 'retry-after': response.headers['retry-after'] ?? null },
    }
  }
}
