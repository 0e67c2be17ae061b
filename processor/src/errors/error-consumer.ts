/**
 * The error pipeline: pull a batch from the bus, normalize, group, assign issues and message
 * templates, insert into ClickHouse, refresh issues, publish their lifecycle events, ack, save
 * changed template miners. A batch
 * that fails is retried message by message, so one bad message cannot hold the others back; a
 * message that keeps failing goes to the dead letters.
 */
import { ConsumerGroups, type Bus, type BusMessage } from '@faultline/core/ports'
import type { Platform } from '@faultline/core/platform'
import { decodeErrorMessage } from '@faultline/core/schema'
import { fingerprintKey } from '@faultline/core/issues'
import { ProjectOrganizations } from '@faultline/core/projects'
import { describeError } from '@faultline/core/errors'
import type { Logger } from '@faultline/core/log'
import type { Counter, Histogram } from '@faultline/core/metrics'
import { normalizeEvent } from '../normalize'
import { computeGrouping } from '../grouping'
import { EventWriter } from '../store/event-writer'
import type { GroupedEvent } from '../store/error-rows'
import { IssueAssigner } from './issue-assigner'
import { IssueUpdater } from './issue-updater'
import { LifecycleAnnouncer, type EscalationOptions } from './lifecycle-announcer'
import { EventTemplater, type EventTemplaterOptions } from '../templates'

export const errorConsumerGroup = ConsumerGroups.processor

export interface ErrorConsumerOptions {
  batchSize: number
  flushMs: number
  maxDeliver: number
  templates?: Partial<EventTemplaterOptions>
  escalation?: Partial<EscalationOptions>
}

interface Prepared {
  message: BusMessage
  grouped: GroupedEvent
}

export class ErrorConsumer {
  readonly #bus: Bus
  readonly #logger: Logger
  readonly #options: ErrorConsumerOptions
  readonly #writer: EventWriter
  readonly #assigner: IssueAssigner
  readonly #updater: IssueUpdater
  readonly #templater: EventTemplater
  readonly #lifecycle: LifecycleAnnouncer
  readonly #projectOrgs: ProjectOrganizations
  readonly #processed: Counter
  readonly #batchSeconds: Histogram
  #running: Promise<void> | undefined
  #stopping = false

  constructor(platform: Platform, options: ErrorConsumerOptions) {
    this.#bus = platform.bus
    this.#logger = platform.logger.child({ component: 'error-consumer' })
    this.#options = options
    this.#writer = new EventWriter(platform.eventStore)
    this.#assigner = new IssueAssigner(platform.issues, platform.projects.counters)
    this.#updater = new IssueUpdater(platform.issues, platform.eventStore)
    this.#projectOrgs = new ProjectOrganizations(platform.projects.projects)
    this.#templater = new EventTemplater({ ...platform, organizationOf: (projectId) => this.#projectOrgs.orgOf(projectId) }, options.templates)
    this.#lifecycle = new LifecycleAnnouncer({ ...platform, logger: this.#logger }, options.escalation)
    this.#processed = platform.metrics.counter('faultline_processor_messages_total', 'Error messages handled by the processor, by result')
    this.#batchSeconds = platform.metrics.histogram('faultline_processor_batch_seconds', 'Time to process one batch', [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5])
  }

  start(): void {
    this.#stopping = false
    this.#running ??= this.#loop().finally(() => {
      this.#running = undefined
    })
  }

  /** Finishes the batch in hand, stops pulling, and saves the template miners. */
  async stop(): Promise<void> {
    this.#stopping = true
    await this.#running
    await this.#templater.saveAll()
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      let batch: BusMessage[]
      try {
        batch = await this.#collectBatch()
      } catch (error) {
        this.#logger.error('fetching from the bus failed; retrying in 1 s', { error: describeError(error) })
        await new Promise((resolve) => setTimeout(resolve, 1_000))
        continue
      }
      if (batch.length > 0) await this.handleBatch(batch)
      // An idle processor still writes the templates of its last batches within the interval.
      else await this.#templater.saveDue()
    }
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
    const { batchSize, flushMs } = this.#options
    const batch = await this.#bus.fetch('errors', errorConsumerGroup, { max: batchSize, expiresMs: flushMs })
    if (batch.length === 0 || batch.length >= batchSize) return batch
    const oldest = Math.min(...batch.map((message) => message.publishedAt))
    const remaining = Math.min(flushMs, oldest + flushMs - Date.now())
    if (remaining <= 0) return batch
    await new Promise((resolve) => setTimeout(resolve, remaining))
    if (!this.#stopping) batch.push(...(await this.#bus.fetch('errors', errorConsumerGroup, { max: batchSize - batch.length, expiresMs: 0 })))
    return batch
  }

  /** Exposed for tests that drive the pipeline without the loop. */
  async handleBatch(batch: BusMessage[]): Promise<void> {
    const started = performance.now()
    const prepared: Prepared[] = []
    for (const message of batch) {
      const result = await this.#prepare(message)
      if (result) prepared.push(result)
    }
    if (prepared.length === 0) return
    try {
      await this.#store(prepared)
      await Promise.all(prepared.map((p) => p.message.ack()))
      this.#processed.inc({ result: 'stored' }, prepared.length)
    } catch (error) {
      if (prepared.length === 1) {
        await this.#retryOrDeadLetter(prepared[0]!.message, error)
      } else {
        this.#logger.warn('batch failed; retrying its messages one by one', { size: prepared.length, error: describeError(error) })
        for (const one of prepared) {
          try {
            await this.#store([one])
            await one.message.ack()
            this.#processed.inc({ result: 'stored' })
          } catch (oneError) {
            await this.#retryOrDeadLetter(one.message, oneError)
          }
        }
      }
    }
    await this.#templater.saveDue()
    this.#batchSeconds.observe((performance.now() - started) / 1000)
  }

  /** Decoding and normalizing cannot succeed on a retry, so their failures dead-letter at once. */
  async #prepare(message: BusMessage): Promise<Prepared | null> {
    const decoded = decodeErrorMessage(message.data)
    if (!decoded.ok) {
      await this.#deadLetter(message, `undecodable message: ${decoded.reason}`)
      return null
    }
    const { projectId, receivedAt, clientIp, event } = decoded.message
    // Its issues belong to the project's organization; a project deleted since ingest has none.
    if ((await this.#projectOrgs.orgOf(projectId)) === undefined) {
      await this.#deadLetter(message, `project ${projectId} does not exist`)
      return null
    }
    const normalized = normalizeEvent(event, { projectId, receivedAt, clientIp })
    if (!normalized.ok) {
      await this.#deadLetter(message, `event rejected by normalization: ${normalized.reason}`)
      return null
    }
    const grouping = computeGrouping(normalized.event)
    return {
      message,
      grouped: { event: normalized.event, fingerprint: grouping.fingerprint, groupingStrategy: grouping.strategy, issueId: '' },
    }
  }

  async #store(prepared: Prepared[]): Promise<void> {
    const events = prepared.map((p) => p.grouped)
    await this.#templater.assign(events)
    const orgs = await this.#projectOrgs.of(events.map((e) => e.event.projectId))
    const issueIds = await this.#assigner.assign(events.map((e) => ({ orgId: orgs.get(e.event.projectId)!, projectId: e.event.projectId, fingerprint: e.fingerprint })))
    for (const grouped of events) grouped.issueId = issueIds.get(fingerprintKey(grouped.event.projectId, grouped.fingerprint))!
    const issues = await this.#updater.upsert(events, orgs)
    const redelivered = new Set(prepared.filter((p) => p.message.deliveryCount > 1).map((p) => p.grouped.event.eventId))
    await this.#writer.write(events, redelivered)
    await this.#lifecycle.announce(await this.#updater.refresh(issues, events), events)
  }

  async #retryOrDeadLetter(message: BusMessage, error: unknown): Promise<void> {
    if (message.deliveryCount >= this.#options.maxDeliver) {
      await this.#deadLetter(message, describeError(error))
      return
    }
    // Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... capped at 30 s.
    const base = Math.min(30_000, 500 * 2 ** (message.deliveryCount - 1))
    const delay = Math.round(base * (0.75 + Math.random() * 0.5))
    this.#logger.warn('message failed; retrying', { id: message.id, delivery: message.deliveryCount, delayMs: delay, error: describeError(error) })
    this.#processed.inc({ result: 'retried' })
    await message.nak(delay).catch((nakError) => this.#logger.error('nak failed; the ack wait will redeliver', { id: message.id, error: describeError(nakError) }))
  }

  async #deadLetter(message: BusMessage, reason: string): Promise<void> {
    this.#logger.error('message dead-lettered', { id: message.id, delivery: message.deliveryCount, reason })
    this.#processed.inc({ result: 'dead_lettered' })
    try {
      await this.#bus.deadLetter(message, reason)
    } catch (error) {
      // Left unacked, the message comes back after the ack wait and is tried again.
      this.#logger.error('dead-lettering failed', { id: message.id, error: describeError(error) })
    }
  }
}
