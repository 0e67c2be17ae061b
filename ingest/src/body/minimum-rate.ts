/**
 * A floor under how fast a body arrives. A slow-loris client holds a connection open by sending
 * its body a few bytes at a time; the server's request timeout bounds that in total, and this
 * bounds it early: once `graceMs` have passed since the request began, a body whose average rate
 * since then is below `minBytesPerSecond` fails its read with BodyTooSlowError (readBody answers
 * 408). One timer per pending read, set for the moment the bytes received so far stop being enough.
 */
import type { BodySource } from './body-source'

export class BodyTooSlowError extends Error {
  readonly code = 'body_too_slow'

  constructor(minBytesPerSecond: number) {
    super(`the request body arrived slower than ${minBytesPerSecond} bytes per second`)
    this.name = 'BodyTooSlowError'
  }
}

export interface MinimumRate {
  minBytesPerSecond: number
  graceMs: number
  /** When the request began (ms); default now. */
  startedAt?: number
}

export function withMinimumRate(source: BodySource, rate: MinimumRate): BodySource {
  if (rate.minBytesPerSecond <= 0) return source
  const startedAt = rate.startedAt ?? Date.now()
  let received = 0
  const deadline = () => startedAt + rate.graceMs + (received / rate.minBytesPerSecond) * 1000
  return {
    read: () =>
      new Promise((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined
        const arm = (): void => {
          timer = setTimeout(check, Math.max(0, deadline() - Date.now()))
        }
        const check = (): void => {
          if (Date.now() >= deadline()) reject(new BodyTooSlowError(rate.minBytesPerSecond))
          else arm()
        }
        arm()
        source.read().then(
          (result) => {
            clearTimeout(timer)
            if (!result.done) received += result.value.byteLength
            resolve(result)
          },
          (error: unknown) => {
            clearTimeout(timer)
            reject(error)
          },
        )
      }),
    cancel: (reason) => source.cancel(reason),
  }
}
