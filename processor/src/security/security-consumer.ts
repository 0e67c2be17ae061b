/**
 * The security pipeline: pull a batch from the `security` subject, decode (ingest validated and
 * scrubbed every event before publishing it), geolocate `source.ip` offline, insert into
 * `security_events` idempotently on event id, then hand the batch to the detections, then ack.
 * Detections run before the ack, so a crash in between evaluates the batch again on redelivery;
 * detection ids are deterministic, so that cannot double one.
 */
import { ConsumerGroups, type BusMessage } from '@faultline/core/ports'
import type { Platform } from '@faultline/core/platform'
import { describeError } from '@faultline/core/errors'
import { decodeSecurityMessage, maxEventsPerMessage, type SecurityEvent } from '@faultline/core/security'
import { BatchConsumer, pipelineDeps, type Prepared } from '../consume'
import type { GeoLocator } from './geo'
import { SecurityEventWriter, type StoredSecurityEvent } from './security-writer'

export const securityConsumerGroup = ConsumerGroups.processor

/**
 * Most events in one batch. The processor's batch size counts messages, and a security message
 * holds up to 500 events, so the configured 2,000 messages allow a batch of 1M events: after 10 s
 * of saturating load the bench's batches held 35k–59k, each inserted, filled into the entities and
 * evaluated as one, with no event of it acked or signalled before the whole was done, and the
 * nearer the bus's ack wait (30 s) the busier the machine.
 */
export const maxEventsPerBatch = 20_000

/**
 * Batches stored at once under a backlog. Storing one is mostly waiting on ClickHouse (insert, entity
 * rows, detection counts), so with one at a time the processor used 1.4 of issue 15's 2 cores while
 * a backlog grew. Two in flight are two replicas' batches: the writer is idempotent and detections
 * are evaluated under partition leases, so neither is missed nor doubled.
 */
const batchesInFlight = 2

export interface SecurityConsumerOptions {
  batchSize: number
  flushMs: number
  maxDeliver: number
  /** The geolocation database, opened once; without it events are stored without `source.geo`. */
  geo: () => Promise<GeoLocator>
  /** Called with every event of a stored batch (new and redelivered) before the batch is acked. */
  onStored?: (events: StoredSecurityEvent[]) => Promise<void>
}

export class SecurityConsumer {
  readonly #writer: SecurityEventWriter
  readonly #consumer: BatchConsumer<StoredSecurityEvent[]>
  readonly #options: SecurityConsumerOptions
  readonly #platform: Platform
  #geo: GeoLocator | null | undefined

  constructor(platform: Platform, options: SecurityConsumerOptions) {
    this.#platform = platform
    this.#options = options
    this.#writer = new SecurityEventWriter(platform.eventStore)
    this.#consumer = new BatchConsumer(
      pipelineDeps(platform, 'security-consumer', 'Security', 'faultline_processor_security'),
      { subject: 'security', group: securityConsumerGroup, batchSize: Math.max(1, Math.min(options.batchSize, Math.floor(maxEventsPerBatch / maxEventsPerMessage))), flushMs: options.flushMs, maxDeliver: options.maxDeliver, concurrency: batchesInFlight },
      { prepare: (message) => this.#prepare(message), store: (items) => this.#store(items.flatMap((item) => item.value)) },
    )
  }

  start(): void {
    this.#consumer.start()
  }

  stop(): Promise<void> {
    return this.#consumer.stop()
  }

  /** Exposed for tests that drive the pipeline without the loop. */
  handleBatch(batch: BusMessage[]): Promise<void> {
    return this.#consumer.handleBatch(batch)
  }

  async #prepare(message: BusMessage): Promise<Prepared<StoredSecurityEvent[]>> {
    const decoded = decodeSecurityMessage(message.data)
    if (!decoded.ok) return { ok: false, deadLetter: `undecodable message: ${decoded.reason}` }
    const { projectId, receivedAt, events } = decoded.message
    const geo = await this.#locator()
    const redelivered = message.deliveryCount > 1
    return { ok: true, value: events.map((event) => ({ projectId, receivedAt, event: geo ? located(geo, event) : event, redelivered })) }
  }

  async #store(events: StoredSecurityEvent[]): Promise<void> {
    await this.#writer.write(events)
    await this.#options.onStored?.(events)
  }

  async #locator(): Promise<GeoLocator | null> {
    if (this.#geo === undefined) {
      try {
        this.#geo = await this.#options.geo()
      } catch (error) {
        this.#platform.logger.error('the geolocation database could not be opened; security events are stored without source.geo', { error: describeError(error) })
        this.#geo = null
      }
    }
    return this.#geo
  }
}

function located(geo: GeoLocator, event: SecurityEvent): SecurityEvent {
  const ip = event.source?.ip
  const place = ip ? geo.locate(ip) : undefined
  return place ? { ...event, source: { ...event.source, geo: place } } : event
}
