/**
 * The error pipeline: pull a batch from the bus, normalize, group, assign issues and message
 * templates, insert into ClickHouse, refresh issues, publish their lifecycle events, ack, save
 * changed template miners. A batch
 * that fails is retried message by message, so one bad message cannot hold the others back; a
 * message that keeps failing goes to the dead letters.
 */
import { ConsumerGroups, type BusMessage } from '@faultline/core/ports'
import type { Platform } from '@faultline/core/platform'
import { decodeErrorMessage } from '@faultline/core/schema'
import { fingerprintKey } from '@faultline/core/issues'
import { ProjectOrganizations } from '@faultline/core/projects'
import { normalizeEvent } from '../normalize'
import { computeGrouping } from '../grouping'
import { EventWriter } from '../store/event-writer'
import type { GroupedEvent } from '../store/error-rows'
import { IssueAssigner } from './issue-assigner'
import { IssueUpdater } from './issue-updater'
import { LifecycleAnnouncer, type EscalationOptions } from './lifecycle-announcer'
import { EventTemplater, type EventTemplaterOptions } from '../templates'
import { BatchConsumer, pipelineDeps, type Prepared } from '../consume'

export const errorConsumerGroup = ConsumerGroups.processor

export interface ErrorConsumerOptions {
  batchSize: number
  flushMs: number
  maxDeliver: number
  templates?: Partial<EventTemplaterOptions>
  escalation?: Partial<EscalationOptions>
}

export class ErrorConsumer {
  readonly #writer: EventWriter
  readonly #assigner: IssueAssigner
  readonly #updater: IssueUpdater
  readonly #templater: EventTemplater
  readonly #lifecycle: LifecycleAnnouncer
  readonly #projectOrgs: ProjectOrganizations
  readonly #consumer: BatchConsumer<GroupedEvent>

  constructor(platform: Platform, options: ErrorConsumerOptions) {
    this.#writer = new EventWriter(platform.eventStore)
    this.#assigner = new IssueAssigner(platform.issues, platform.projects.counters)
    this.#updater = new IssueUpdater(platform.issues, platform.eventStore)
    this.#projectOrgs = new ProjectOrganizations(platform.projects.projects)
    this.#templater = new EventTemplater({ ...platform, organizationOf: (projectId) => this.#projectOrgs.orgOf(projectId) }, options.templates)
    const deps = pipelineDeps(platform, 'error-consumer', 'Error', 'faultline_processor')
    this.#lifecycle = new LifecycleAnnouncer({ ...platform, logger: deps.logger }, options.escalation)
    this.#consumer = new BatchConsumer(
      deps,
      { subject: 'errors', group: errorConsumerGroup, batchSize: options.batchSize, flushMs: options.flushMs, maxDeliver: options.maxDeliver },
      {
        prepare: (message) => this.#prepare(message),
        store: (items) => this.#store(items.map((item) => ({ message: item.message, grouped: item.value }))),
        // An idle processor still writes the templates of its last batches within the interval.
        afterBatch: () => this.#templater.saveDue(),
        idle: () => this.#templater.saveDue(),
      },
    )
  }

  start(): void {
    this.#consumer.start()
  }

  /** Finishes the batch in hand, stops pulling, and saves the template miners. */
  async stop(): Promise<void> {
    await this.#consumer.stop()
    await this.#templater.saveAll()
  }

  /** Exposed for tests that drive the pipeline without the loop. */
  handleBatch(batch: BusMessage[]): Promise<void> {
    return this.#consumer.handleBatch(batch)
  }

  /** Decoding and normalizing cannot succeed on a retry, so their failures dead-letter at once. */
  async #prepare(message: BusMessage): Promise<Prepared<GroupedEvent>> {
    const decoded = decodeErrorMessage(message.data)
    if (!decoded.ok) return { ok: false, deadLetter: `undecodable message: ${decoded.reason}` }
    const { projectId, receivedAt, clientIp, event } = decoded.message
    // Its issues belong to the project's organization; a project deleted since ingest has none.
    if ((await this.#projectOrgs.orgOf(projectId)) === undefined) return { ok: false, deadLetter: `project ${projectId} does not exist` }
    const normalized = normalizeEvent(event, { projectId, receivedAt, clientIp })
    if (!normalized.ok) return { ok: false, deadLetter: `event rejected by normalization: ${normalized.reason}` }
    const grouping = computeGrouping(normalized.event)
    return { ok: true, value: { event: normalized.event, fingerprint: grouping.fingerprint, groupingStrategy: grouping.strategy, issueId: '' } }
  }

  async #store(prepared: { message: BusMessage; grouped: GroupedEvent }[]): Promise<void> {
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
}
