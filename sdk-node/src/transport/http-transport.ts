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
  /** Certificates trusted for an https ingest besides Node's own roots (a private CA), PEM. */
  ca?: string | Buffer
  /** Extra request headers, e.g. for a proxy in front of ingest. */
  headers?: Record<string, string>
}

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/
/** Set by the transport itself; an extra header may not override the framing. */
const reserved = new Set(['host', 'content-length', 'content-encoding', 'transfer-encoding', 'connection'])

/** The extra headers as request-head lines; invalid or reserved ones are left out with a warning. */
function extraHeaderLines(headers: Record<string, string> = {}): string {
  let lines = ''
  for (const [name, value] of Object.entries(headers)) {
    if (!headerName.test(name) || !headerValue.test(String(value)) || reserved.has(name.toLowerCase())) {
      logger.warn(`transport header ${JSON.stringify(name)} is not a valid extra header; left out`)
      continue
    }
    lines += `${name}: ${String(value)}\r\n`
  }
  return lines
}

export function makeNodeRequest(url: string, options: NodeTransportOptions = {}): MakeRequest {
  const target = new URL(url)
  const client = createHttp1Client(target, { maxSockets: options.maxSockets ?? 4, timeoutMs: options.timeoutMs ?? 10_000, idleMs: options.idleMs ?? 4000, ca: options.ca })
  const threshold = options.gzipThreshold ?? defaultGzipThreshold
  // Everything but the length and encoding is the same for every envelope.
  const head = `POST ${target.pathname}${target.search} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/x-sentry-envelope\r\n${extraHeaderLines(options.headers)}`

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
