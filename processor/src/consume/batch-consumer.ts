/**
 * The loop every processor pipeline runs over one bus subject and consumer group: fetch a batch,
 * prepare each message (a message that cannot be decoded is dead-lettered at once), store the
 * prepared batch in one go, ack. A batch that fails is retried message by message, so one bad
 * message cannot hold the others back; a message that keeps failing goes to the dead letters after
 * `maxDeliver` deliveries with exponential backoff.
 */
import type { Bus, BusMessage, Subject } from '@faultline/core/ports'
import { describeError } from '@faultline/core/errors'
import type { Logger } from '@faultline/core/log'
import type { Counter, Histogram } from '@faultline/core/metrics'
import type { Platform } from '@faultline/core/platform'

export interface BatchConsumerOptions {
  subject: Subject
  group: string
  batchSize: number
  flushMs: number
  maxDeliver: number
  /**
   * Most batches handled at once (default 1). The next batch is fetched before the one in hand is
   * stored only when that one was full, i.e. under a backlog: one batch's JavaScript then runs while
   * ClickHouse works on the other's statements. Only for a pipeline whose store is safe with
   * batches stored concurrently, as they are by replicas.
   */
  concurrency?: number
}

/** What `prepare` gives back: the message's work, or why it can never succeed. */
export type Prepared<T> = { ok: true; value: T } | { ok: false; deadLetter: string }

export interface BatchPipeline<T> {
  prepare(message: BusMessage): Promise<Prepared<T>> | Prepared<T>
  /** Stores the prepared messages of one batch (or one message, on the one-by-one retry). */
  store(items: { message: BusMessage; value: T }[]): Promise<void>
  /** After each handled batch, and while idle (background saves). */
  afterBatch?(): Promise<void>
  idle?(): Promise<void>
}

export interface BatchConsumerDeps {
  bus: Bus
  logger: Logger
  processed: Counter
  batchSeconds: Histogram
}

/** The deps of a pipeline on the platform: its logger and its two metrics, named per pipeline. */
export function pipelineDeps(platform: Pick<Platform, 'bus' | 'logger' | 'metrics'>, component: string, what: string, metricPrefix: string): BatchConsumerDeps {
  return {
    bus: platform.bus,
    logger: platform.logger.child({ component }),
    processed: platform.metrics.counter(`${metricPrefix}_messages_total`, `${what} messages handled by the processor, by result`),
    batchSeconds: platform.metrics.histogram(`${metricPrefix}_batch_seconds`, `Time to process one batch of ${what.toLowerCase()} messages`, [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]),
  }
}

export class BatchConsumer<T> {
  readonly #deps: BatchConsumerDeps
  readonly #options: BatchConsumerOptions
  readonly #pipeline: BatchPipeline<T>
  #running: Promise<void> | undefined
  #stopping = false

  constructor(deps: BatchConsumerDeps, options: BatchConsumerOptions, pipeline: BatchPipeline<T>) {
    this.#deps = deps
    this.#options = options
    this.#pipeline = pipeline
  }

  start(): void {
    this.#stopping = false
    this.#running ??= this.#loop().finally(() => {
      this.#running = undefined
    })
  }

  /** Finishes the batch in hand and stops pulling. */
  async stop(): Promise<void> {
    this.#stopping = true
    await this.#running
  }

  async #loop(): Promise<void> {
    const inFlight = new Set<Promise<void>>()
    let failure: { error: unknown } | undefined
    const settle = async (all: boolean) => {
      if (all) await Promise.all(inFlight)
      else await Promise.race(inFlight)
      if (failure) throw failure.error
    }
    try {
      while (!this.#stopping) {
        let batch: BusMessage[]
        try {
          batch = await this.#collectBatch()
        } catch (error) {
          this.#deps.logger.error('fetching from the bus failed; retrying in 1 s', { error: describeError(error) })
          await new Promise((resolve) => setTimeout(resolve, 1_000))
          continue
        }
        if (batch.length === 0) {
          await settle(true)
          await this.#pipeline.idle?.()
          continue
        }
        // Kept in the set until settled; a failure is rethrown by the next settle, as the loop's own.
        const handling: Promise<void> = this.handleBatch(batch)
          .catch((error: unknown) => {
            failure ??= { error }
          })
          .finally(() => inFlight.delete(handling))
        inFlight.add(handling)
        if (batch.length < this.#options.batchSize) await settle(true)
        else if (inFlight.size >= (this.#options.concurrency ?? 1)) await settle(false)
      }
    } finally {
      await Promise.all(inFlight)
    }
    if (failure) throw failure.error
  }

  /**
   * A batch closes `flushMs` after its oldest message was published, or at `batchSize` messages:
   * each ClickHouse insert writes a new part per table and rollup, so a few large inserts cost far
   * less than many small ones. Messages that already waited out the window (they came while the
   * previous batch was processed) go at once; otherwise the rest of the window is waited out and
   * taken in one fetch, rather than polled, so the bus (on SQLite, the ingest's own database file)
   * sees at most two leases per batch.
   */
  async #collectBatch(): Promise<BusMessage[]> {
    const { subject, group, batchSize, flushMs } = this.#options
    const batch = await this.#deps.bus.fetch(subject, group, { max: batchSize, expiresMs: flushMs })
    if (batch.length === 0 || batch.length >= batchSize) return batch
    const oldest = Math.min(...batch.map((message) => message.publishedAt))
    const remaining = Math.min(flushMs, oldest + flushMs - Date.now())
    if (remaining <= 0) return batch
    await new Promise((resolve) => setTimeout(resolve, remaining))
    if (!this.#stopping) batch.push(...(await this.#deps.bus.fetch(subject, group, { max: batchSize - batch.length, expiresMs: 0 })))
    return batch
  }

  /** One batch through the pipeline; exposed for tests that drive it without the loop. */
  async handleBatch(batch: BusMessage[]): Promise<void> {
    const { processed, batchSeconds, logger } = this.#deps
    const started = performance.now()
    const items: { message: BusMessage; value: T }[] = []
    for (const message of batch) {
      const result = await this.#pipeline.prepare(message)
      if (result.ok) items.push({ message, value: result.value })
      else await this.#deadLetter(message, result.deadLetter)
    }
    if (items.length === 0) return
    try {
      await this.#pipeline.store(items)
      await Promise.all(items.map((item) => item.message.ack()))
      processed.inc({ result: 'stored' }, items.length)
    } catch (error) {
      if (items.length === 1) {
        await this.#retryOrDeadLetter(items[0]!.message, error)
      } else {
        logger.warn('batch failed; retrying its messages one by one', { size: items.length, error: describeError(error) })
        for (const one of items) {
          try {
            await this.#pipeline.store([one])
            await one.message.ack()
            processed.inc({ result: 'stored' })
          } catch (oneError) {
            await this.#retryOrDeadLetter(one.message, oneError)
          }
        }
      }
    }
    await this.#pipeline.afterBatch?.()
    batchSeconds.observe((performance.now() - started) / 1000)
  }

  async #retryOrDeadLetter(message: BusMessage, error: unknown): Promise<void> {
    if (message.deliveryCount >= this.#options.maxDeliver) {
      await this.#deadLetter(message, describeError(error))
      return
    }
    // Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... capped at 30 s.
    const base = Math.min(30_000, 500 * 2 ** (message.deliveryCount - 1))
    const delay = Math.round(base * (0.75 + Math.random() * 0.5))
    this.#deps.logger.warn('message failed; retrying', { id: message.id, delivery: message.deliveryCount, delayMs: delay, error: describeError(error) })
    this.#deps.processed.inc({ result: 'retried' })
    await message.nak(delay).catch((nakError) => this.#deps.logger.error('nak failed; the ack wait will redeliver', { id: message.id, error: describeError(nakError) }))
  }

  async #deadLetter(message: BusMessage, reason: string): Promise<void> {
    this.#deps.logger.error('message dead-lettered', { id: message.id, delivery: message.deliveryCount, reason })
    this.#deps.processed.inc({ result: 'dead_lettered' })
    try {
      await this.#deps.bus.deadLetter(message, reason)
    } catch (error) {
      // Left unacked, the message comes back after the ack wait and is tried again.
      this.#deps.logger.error('dead-lettering failed', { id: message.id, error: describeError(error) })
    }
  }
}
