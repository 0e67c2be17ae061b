import { envelopeCategories, serializeEnvelope, itemTypeToDataCategory, type DataCategory, type Envelope } from '../envelope'
import { logger, sleep } from '../utils'
import { backoffDelay } from './backoff'
import { createPromiseBuffer } from './buffer'
import { isRateLimited, updateRateLimits, type RateLimits } from './rate-limits'

export const DropReasons = {
  queueOverflow: 'queue_overflow',
  ratelimitBackoff: 'ratelimit_backoff',
  networkError: 'network_error',
  sampleRate: 'sample_rate',
  beforeSend: 'before_send',
  eventProcessor: 'event_processor',
  sendError: 'send_error',
} as const
export type DropReason = (typeof DropReasons)[keyof typeof DropReasons]

export interface TransportRequest {
  body: string | Uint8Array
  categories: DataCategory[]
}

export interface TransportResponse {
  statusCode?: number
  headers?: { 'x-sentry-rate-limits'?: string | null; 'retry-after'?: string | null }
}

/** The platform part: send bytes once, resolve with status and headers, reject on network failure. */
export type MakeRequest = (request: TransportRequest) => PromiseLike<TransportResponse>

export type SendResult = { kind: 'sent'; statusCode: number } | { kind: 'dropped'; reason: DropReason }

export interface TransportOptions {
  /** Envelopes in flight (including those waiting to retry). Default 64. */
  bufferSize?: number
  /** Retries after the first attempt on network errors and 5xx. Default 3. */
  maxRetries?: number
  retryInitialMs?: number
  retryMaxMs?: number
  recordDroppedEvent?: (reason: DropReason, category: DataCategory, quantity?: number) => void
}

export interface Transport {
  /** Never rejects: every failure ends as a counted drop. */
  send(envelope: Envelope): Promise<SendResult>
  flush(timeoutMs?: number): Promise<boolean>
  rateLimits(): RateLimits
}

export function createTransport(options: TransportOptions, makeRequest: MakeRequest): Transport {
  const buffer = createPromiseBuffer(options.bufferSize ?? 64)
  const maxRetries = options.maxRetries ?? 3
  const backoff = { initialMs: options.retryInitialMs ?? 1000, maxMs: options.retryMaxMs ?? 30_000 }
  let limits: RateLimits = {}

  const record = (reason: DropReason, categories: DataCategory[]): void => {
    // Client reports about client reports would loop; the internal category is never counted.
    for (const category of categories) if (category !== 'internal') options.recordDroppedEvent?.(reason, category)
  }

  const attempt = async (body: string | Uint8Array, categories: DataCategory[]): Promise<SendResult> => {
    for (let tries = 0; ; tries++) {
      let response: TransportResponse
      try {
        response = await makeRequest({ body, categories })
      } catch (error) {
        logger.warn('envelope request failed', error)
        if (tries >= maxRetries) {
          record('network_error', categories)
          return { kind: 'dropped', reason: 'network_error' }
        }
        await sleep(backoffDelay(tries, backoff))
        continue
      }
      const status = response.statusCode ?? 0
      if (status === 413) {
        record('send_error', categories)
        return { kind: 'dropped', reason: 'send_error' }
      }
      limits = updateRateLimits(limits, response)
      if (status === 429) {
        record('ratelimit_backoff', categories)
        return { kind: 'dropped', reason: 'ratelimit_backoff' }
      }
      if (status >= 500 || status === 0) {
        if (categories.every((c) => isRateLimited(limits, c))) {
          record('ratelimit_backoff', categories)
          return { kind: 'dropped', reason: 'ratelimit_backoff' }
        }
        if (tries >= maxRetries) {
          record('send_error', categories)
          return { kind: 'dropped', reason: 'send_error' }
        }
        await sleep(backoffDelay(tries, backoff))
        continue
      }
      if (status >= 400) {
        logger.warn(`ingest refused an envelope with status ${status}`)
        record('send_error', categories)
        return { kind: 'dropped', reason: 'send_error' }
      }
      return { kind: 'sent', statusCode: status }
    }
  }

  const send = (envelope: Envelope): Promise<SendResult> => {
    const kept = envelope[1].filter(([headers]) => {
      const category = itemTypeToDataCategory(headers.type)
      if (!isRateLimited(limits, category)) return true
      record('ratelimit_backoff', [category])
      return false
    })
    if (kept.length === 0) return Promise.resolve({ kind: 'dropped', reason: 'ratelimit_backoff' })
    const filtered: Envelope = kept.length === envelope[1].length ? envelope : [envelope[0], kept]
    const categories = envelopeCategories(filtered)
    return new Promise<SendResult>((resolve) => {
      const added = buffer.add(() => {
        // Serialized only once there is room: a full buffer drops the event before paying for it.
        let body: string | Uint8Array
        try {
          body = serializeEnvelope(filtered)
        } catch (error) {
          logger.warn('envelope could not be serialized', error)
          record('send_error', categories)
          resolve({ kind: 'dropped', reason: 'send_error' })
          return Promise.resolve()
        }
        return attempt(body, categories).then(resolve, () => resolve({ kind: 'dropped', reason: 'send_error' }))
      })
      if (!added) {
        record('queue_overflow', categories)
        resolve({ kind: 'dropped', reason: 'queue_overflow' })
      }
    })
  }

  return { send, flush: (timeoutMs) => buffer.drain(timeoutMs), rateLimits: () => ({ ...limits }) }
}
