import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { logger, parseEnvelope, serializeEnvelope, type Envelope, type SendResult, type Transport } from '@faultline/sdk-core'

export interface OutboxOptions {
  dir: string
  /** Default 100 files. */
  maxFiles?: number
  /** Default 10 MiB. */
  maxBytes?: number
}

const suffix = '.envelope'

/**
 * Envelopes written to disk before sending and removed once ingest has them (or refused them for
 * good), so those in flight when the process dies are sent by the next `init`. Bounded: when full,
 * new envelopes are still sent from memory but not persisted.
 */
export function withOutbox(inner: Transport, options: OutboxOptions): Transport & { replay(): Promise<number> } {
  const maxFiles = options.maxFiles ?? 100
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024
  let seq = 0
  let ready = true
  try {
    mkdirSync(options.dir, { recursive: true })
  } catch (error) {
    logger.warn('outbox disabled: cannot create', options.dir, error)
    ready = false
  }
  // Files present at start belong to an earlier process; only those are replayed.
  const leftover = ready ? list() : []

  function list(): { name: string; size: number }[] {
    try {
      return readdirSync(options.dir)
        .filter((n) => n.endsWith(suffix))
        .sort()
        .map((name) => ({ name, size: statSync(join(options.dir, name)).size }))
    } catch (error) {
      logger.warn('outbox unreadable', error)
      return []
    }
  }

  function remove(name: string | undefined): void {
    if (!name) return
    try {
      unlinkSync(join(options.dir, name))
    } catch (error) {
      logger.warn('outbox file could not be removed', error)
    }
  }

  function persist(envelope: Envelope): string | undefined {
    if (!ready) return undefined
    try {
      const body = serializeEnvelope(envelope)
      const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength
      const files = list()
      if (files.length >= maxFiles || files.reduce((n, f) => n + f.size, 0) + size > maxBytes) return undefined
      const name = `${Date.now().toString().padStart(15, '0')}-${process.pid}-${seq++}${suffix}`
      const path = join(options.dir, name)
      // Written synchronously and renamed into place: a crash right after capture still leaves a whole file.
      writeFileSync(`${path}.tmp`, body)
      renameSync(`${path}.tmp`, path)
      return name
    } catch (error) {
      logger.warn('outbox write failed', error)
      return undefined
    }
  }

  const settle = (name: string | undefined, result: SendResult): SendResult => {
    // Kept for the next start when ingest was unreachable or the buffer was full; otherwise done.
    if (result.kind === 'sent' || (result.reason !== 'network_error' && result.reason !== 'queue_overflow')) remove(name)
    return result
  }

  return {
    send(envelope) {
      const name = persist(envelope)
      return inner.send(envelope).then((result) => settle(name, result))
    },
    flush: (timeoutMs) => inner.flush(timeoutMs),
    rateLimits: () => inner.rateLimits(),
    async replay() {
      let sent = 0
      await Promise.all(
        leftover.splice(0).map(async ({ name }) => {
          let envelope: Envelope
          try {
            envelope = parseEnvelope(readFileSync(join(options.dir, name)))
          } catch (error) {
            logger.warn('outbox file unreadable, removed', name, error)
            remove(name)
            return
          }
          const result = settle(name, await inner.send(envelope))
          if (result.kind === 'sent') sent++
        }),
      )
      return sent
    },
  }
}
