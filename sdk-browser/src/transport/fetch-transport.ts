import { SdkError, type MakeRequest, type TransportResponse } from '@faultline/sdk-core'

/**
 * Browsers allow at most 64 KiB of keepalive bodies in flight per page; 60 KB leaves room for
 * headers. Above it a request is sent without keepalive (it may not survive an unload).
 */
export const keepaliveBudgetBytes = 60_000

let inFlightKeepaliveBytes = 0

function byteLength(body: string | Uint8Array): number {
  return typeof body === 'string' ? new TextEncoder().encode(body).length : body.byteLength
}

function pageHidden(): boolean {
  return typeof document !== 'undefined' && document.visibilityState === 'hidden'
}

/**
 * Sends with `fetch` as a CORS "simple" request (text/plain body, no custom headers, no
 * credentials), so there is no preflight and no cookie. When the page is hidden (being closed or
 * backgrounded) `sendBeacon` is used: it is the one API a browser promises to finish after unload.
 */
export function makeFetchRequest(url: string, nativeFetch: typeof fetch = fetch.bind(globalThis)): MakeRequest {
  return async ({ body }) => {
    const size = byteLength(body)
    const payload: BodyInit = typeof body === 'string' ? body : new Blob([body as BlobPart])
    if (pageHidden() && typeof navigator !== 'undefined' && typeof navigator.sendBeacon === 'function' && size <= keepaliveBudgetBytes) {
      // A beacon gives no response: treat queued as accepted, refused as a network error to retry.
      if (navigator.sendBeacon(url, payload)) return { statusCode: 200 }
    }
    const keepalive = inFlightKeepaliveBytes + size <= keepaliveBudgetBytes
    if (keepalive) inFlightKeepaliveBytes += size
    try {
      const response = await nativeFetch(url, { method: 'POST', body: payload, keepalive, credentials: 'omit', referrerPolicy: 'strict-origin', mode: 'cors' })
      const result: TransportResponse = {
        statusCode: response.status,
        headers: { 'x-sentry-rate-limits': response.headers.get('X-Sentry-Rate-Limits'), 'retry-after': response.headers.get('Retry-After') },
      }
      return result
    } catch (cause) {
      throw new SdkError('request_failed', 'envelope request failed', { cause })
    } finally {
      if (keepalive) inFlightKeepaliveBytes -= size
    }
  }
}
