import http from 'node:http'
import https from 'node:https'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import { SdkError, type MakeRequest, type TransportResponse } from '@faultline/sdk-core'

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
  headers?: Record<string, string>
}

let sdkRequestDepth = 0
const sdkRequests = new WeakSet<object>()

/**
 * True for the SDK's own requests to ingest, so HTTP breadcrumbs skip them. Node 20 publishes
 * `http.client.request.start` when the request is flushed, after `http.request()` returned, so the
 * request object is remembered; the depth counter covers versions that publish from the constructor.
 */
export function isSdkRequest(request?: object): boolean {
  return sdkRequestDepth > 0 || (request !== undefined && sdkRequests.has(request))
}

export function makeNodeRequest(url: string, options: NodeTransportOptions = {}): MakeRequest {
  const target = new URL(url)
  const isHttps = target.protocol === 'https:'
  const module = isHttps ? https : http
  const agent = new module.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 4, maxFreeSockets: 2, timeout: 30_000 })
  const threshold = options.gzipThreshold ?? defaultGzipThreshold
  const timeoutMs = options.timeoutMs ?? 10_000
  // Resolved once: handing http.request a URL object converts it to options on every call.
  const requestOptions = {
    protocol: target.protocol,
    hostname: target.hostname.replace(/^\[|\]$/g, ''),
    port: target.port || (isHttps ? 443 : 80),
    path: `${target.pathname}${target.search}`,
    method: 'POST',
    agent,
    timeout: timeoutMs,
  }

  return async ({ body }) => {
    let payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    const headers: Record<string, string> = { 'content-type': 'application/x-sentry-envelope', ...options.headers }
    if (payload.length > threshold) {
      payload = await gzipAsync(payload)
      headers['content-encoding'] = 'gzip'
    }
    headers['content-length'] = String(payload.length)
    return new Promise<TransportResponse>((resolve, reject) => {
      let request: http.ClientRequest
      sdkRequestDepth++
      try {
        request = module.request({ ...requestOptions, headers }, (response) => {
          // Drain so the keep-alive socket is reused; the body carries nothing the SDK needs.
          response.on('error', () => undefined)
          response.resume()
          const header = (name: string): string | null => {
            const value = response.headers[name]
            return Array.isArray(value) ? (value[0] ?? null) : (value ?? null)
          }
          resolve({ statusCode: response.statusCode, headers: { 'x-sentry-rate-limits': header('x-sentry-rate-limits'), 'retry-after': header('retry-after') } })
        })
        sdkRequests.add(request)
      } finally {
        sdkRequestDepth--
      }
      request.on('timeout', () => request.destroy(new SdkError('timeout', `ingest did not answer within ${timeoutMs} ms`)))
      request.on('error', (cause) => reject(cause instanceof SdkError ? cause : new SdkError('request_failed', 'envelope request failed', { cause })))
      request.end(payload)
    })
  }
}
