/**
 * The alert evaluator and dispatcher, run by the processor tier of every replica; exactly one
 * replica at a time, the holder of the `alerting:leader` lease, does the work. It consumes issue
 * lifecycle events as its own consumer group (`alerting`), turns them into alerts through the
 * rules, stores the alerts (so the next leader carries on), and drives one dispatcher per
 * organization. The notification log's claims keep sends exactly-once across a lease handover.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { describeError } from '@faultline/core/errors'
import type { Logger } from '@faultline/core/log'
import { ConsumerGroups, type Bus, type BusMessage, type Cache, type Lease, type MetadataStore } from '@faultline/core/ports'
import type { Keyring, SecretStore } from '@faultline/core/secrets'
import type { EventStore } from '@faultline/core/event-store'
import { openIssueStores, type IssueStores } from '@faultline/core/issues'
import { ProjectOrganizations, type ProjectStores } from '@faultline/core/projects'
import { scoreThreshold } from '@faultline/intelligence'
import { decodeIssueEvent, type IssueEvent } from '@faultline/core/schema'
import { evaluateIssueEvent, signalAlert } from '../alerts'
import { decodeSignalMessage, type SignalMessage } from '@faultline/core/detections'
import { Dispatcher } from '../dispatch/dispatcher'
import { parseMatcher, type Matcher } from '../matchers'
import { Notifier } from '../notify/notifier'
import type { ActiveSilence } from '../pipeline/muting'
import { buildIntegrations, secretLookup } from '../receivers'
import { AlertGroupStates, openAlertingStores, type AlertingStores } from '../store'
import { advanceEscalation, stepTargets } from '../oncall/escalation'
import { evaluatePeriodicRules, type PeriodicDeps } from './periodic-rules'
import type { Sensitivity } from '@faultline/intelligence'

export const alertingConsumerGroup = ConsumerGroups.alerting
const leaseKey = 'alerting:leader'

export interface AlertingServiceOptions {
  /** Base URL for links in notifications. */
  externalUrl: string
  leaseTtlMs?: number
  /** How often the configuration revisions and silences are read again. */
  refreshMs?: number
  /** Resolved alerts are kept this long (their resolution may still be owed). */
  keepResolvedMs?: number
  /** How often metric and frequency rules are evaluated (aligned, 5 s past each boundary). */
  evaluationIntervalMs?: number
}

export interface AlertingDeps {
  bus: Bus
  cache: Cache
  secrets: SecretStore
  /** Seals the unsubscribe links of alert mail. */
  keyring: Keyring
  logger: Logger
  metadata: MetadataStore
  /** Which organization a project belongs to: its alerting configuration applies. */
  projects: ProjectStores
  /** Read only when metric or frequency rules exist (a getter that throws where there is none). */
  readonly eventStore: EventStore
}

interface OrgState {
  revision: number
  /** Groups people acted on after this are flushed again at once. */
  actedSince: number
  dispatcher: Dispatcher
  silences: ActiveSilence[]
}

export class AlertingService {
  readonly #deps: AlertingDeps
  readonly #options: Required<AlertingServiceOptions>
  readonly #logger: Logger
  readonly #holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  readonly #orgs = new Map<string, OrgState>()
  readonly #projectOrgs: ProjectOrganizations
  #stores: AlertingStores | undefined
  #issues: IssueStores | undefined
  #nextEvaluationAt = 0
  #evaluating: Promise<void> | undefined
  #escalating: Promise<void> | undefined
  #escalatedAt = 0
  #notifier: Notifier | undefined
  #lease: Lease | null = null
  #leaseCheckedAt = 0
  #refreshedAt = 0
  #configurationsReadAt = 0
  #prunedAt = 0
  #running: Promise<void> | undefined
  #stopping = false

  constructor(deps: AlertingDeps, options: AlertingServiceOptions) {
    this.#deps = deps
    this.#options = { leaseTtlMs: 15_000, refreshMs: 1_000, keepResolvedMs: 3_600_000, evaluationIntervalMs: 60_000, ...options }
    this.#logger = deps.logger.child({ component: 'alerting' })
    this.#projectOrgs = new ProjectOrganizations(deps.projects.projects)
  }

  /** The alerting collections, opened on first use. */
  async stores(): Promise<AlertingStores> {
    this.#stores ??= await openAlertingStores(this.#deps.metadata)
    return this.#stores
  }

  get isLeader(): boolean {
    return this.#lease !== null
  }

  /** The configuration revision this replica dispatches for `orgId` (0: none; not the leader). */
  loadedRevision(orgId: string): number {
    return this.#orgs.get(orgId)?.revision ?? 0
  }

  /** The ids of the silences this replica applies for `orgId` (none when not the leader). */
  loadedSilences(orgId: string): string[] {
    return this.#orgs.get(orgId)?.silences.map((silence) => silence.id) ?? []
  }

  start(): void {
    this.#stopping = false
    this.#running ??= this.#loop().finally(() => (this.#running = undefined))
  }

  /** Finishes the work in hand and gives the lease up, so another replica takes over at once. */
  async stop(): Promise<void> {
    this.#stopping = true
    await this.#running
    await this.#evaluating
    await this.#escalating
    await Promise.all([...this.#orgs.values()].map((org) => org.dispatcher.settle()))
    this.#orgs.clear()
    await this.#lease?.release().catch((error: unknown) => this.#logger.warn('releasing the alerting lease failed', { error: describeError(error) }))
    this.#lease = null
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      try {
        if (!(await this.#holdLease())) {
          await sleep(Math.min(1_000, this.#options.leaseTtlMs / 3))
          continue
        }
        await this.#refresh(Date.now())
        const nextDue = Math.min(...[...this.#orgs.values()].map((org) => org.dispatcher.nextDueAt()))
        const waitMs = Math.max(0, Math.min(250, nextDue - Date.now()))
        const batch = await this.#deps.bus.fetch('issue-events', alertingConsumerGroup, { max: 100, expiresMs: waitMs })
        const signals = await this.#deps.bus.fetch('signals', alertingConsumerGroup, { max: 100, expiresMs: 0 })
        await this.#catchUpWith([...batch, ...signals])
        for (const message of batch) await this.#handle(message, 'issue event', decodeIssueEvent, (event, at) => this.#apply(event, at))
        for (const message of signals) await this.#handle(message, 'security signal', decodeSignalMessage, (signal, at) => this.#applySignal(signal, at))
        const now = Date.now()
        for (const org of this.#orgs.values()) org.dispatcher.runDue(now)
        if (now - this.#escalatedAt >= this.#options.refreshMs && !this.#escalating) {
          this.#escalatedAt = now
          this.#escalating = this.#escalate(now).finally(() => (this.#escalating = undefined))
        }
        if (now >= this.#nextEvaluationAt && !this.#evaluating) {
          // Aligned a few seconds past each minute, so the minute's rollups are in.
          const every = this.#options.evaluationIntervalMs
          this.#nextEvaluationAt = Math.floor(now / every) * every + every + Math.min(5_000, every / 4)
          this.#evaluating = this.#evaluatePeriodic(now).finally(() => (this.#evaluating = undefined))
        }
      } catch (error) {
        this.#logger.error('alerting loop failed; retrying in 1 s', { error: describeError(error) })
        await sleep(1_000)
      }
    }
  }

  async #holdLease(): Promise<boolean> {
    const now = Date.now()
    const { leaseTtlMs } = this.#options
    if (this.#lease) {
      if (now - this.#leaseCheckedAt < leaseTtlMs / 3) return true
      this.#leaseCheckedAt = now
      if (await this.#lease.extend(leaseTtlMs)) return true
      this.#logger.warn('alerting lease lost to another replica')
      this.#lease = null
      this.#orgs.clear()
      return false
    }
    this.#lease = await this.#deps.cache.acquireLease(leaseKey, leaseTtlMs)
    if (!this.#lease) return false
    this.#leaseCheckedAt = now
    this.#refreshedAt = 0
    this.#logger.info('this replica now evaluates and dispatches alerts', { holder: this.#holder })
    return true
  }

  /**
   * A message published after the configurations were last read may follow a change saved since
   * then: read them again before applying it, so a configuration acts on every event published
   * after it was saved, not only on those after the next periodic read. Silences and the rest
   * keep the periodic cadence. Compares the bus's clock with this host's: exact on one machine,
   * as close as the clocks are synchronized across machines.
   */
  async #catchUpWith(messages: BusMessage[]): Promise<void> {
    if (messages.some((message) => message.publishedAt >= this.#configurationsReadAt)) await this.#loadConfigurations(Date.now())
  }

  /** Reloads the configurations whose revision changed, rebuilding their dispatchers. */
  async #loadConfigurations(now: number): Promise<void> {
    this.#configurationsReadAt = now
    const stores = await this.stores()
    this.#notifier ??= new Notifier(stores.log, this.#logger)
    const revisions = await stores.configs.revisions()
    for (const orgId of this.#orgs.keys()) if (!revisions.has(orgId)) this.#orgs.delete(orgId)
    for (const [orgId, revision] of revisions) {
      if (this.#orgs.get(orgId)?.revision === revision) continue
      const loaded = await stores.configs.load(orgId)
      if (!loaded) continue
      const state: OrgState = { revision: loaded.revision, actedSince: now, silences: [], dispatcher: undefined as never }
      state.dispatcher = new Dispatcher({
        orgId,
        config: loaded.config,
        integrations: buildIntegrations(loaded.config, secretLookup(this.#deps.secrets, orgId), { cache: this.#deps.cache, keyring: this.#deps.keyring, unsubscriptions: stores.unsubscriptions }),
        notifier: this.#notifier,
        groups: stores.groups,
        silences: () => state.silences,
        holder: this.#holder,
        externalUrl: this.#options.externalUrl,
        logger: this.#logger,
        incidents: stores.incidents,
      })
      const previous = this.#orgs.get(orgId)
      this.#orgs.set(orgId, state)
      await previous?.dispatcher.settle()
      for (const alert of await stores.alerts.active(orgId, now, this.#options.keepResolvedMs)) state.dispatcher.put(alert, now)
      this.#logger.info('alerting configuration loaded', { orgId, revision })
    }
  }

  /** Reloads configurations that changed (rebuilding their dispatchers) and every org's silences. */
  async #refresh(now: number): Promise<void> {
    if (now - this.#refreshedAt < this.#options.refreshMs) return
    this.#refreshedAt = now
    await this.#loadConfigurations(now)
    const stores = await this.stores()
    for (const [orgId, state] of this.#orgs) {
      for (const group of await stores.groups.actedOnSince(orgId, state.actedSince)) state.dispatcher.flushSoon(group.groupKey, now)
      state.actedSince = now - this.#options.refreshMs
      const fromConfig = state.dispatcher.config.silences.map((s, i) => ({ id: `config:${i}`, matchers: s.matchers, startsAt: s.starts_at, endsAt: s.ends_at }))
      const stored = (await stores.silences.current(orgId, now)).map((s) => ({ id: s._id, matchers: parseStored(s.matchers), startsAt: s.startsAt, endsAt: s.endsAt }))
      state.silences = [...fromConfig, ...stored]
    }
    if (now - this.#prunedAt > 10 * 60_000) {
      this.#prunedAt = now
      for (const orgId of this.#orgs.keys()) {
        await stores.alerts.prune(orgId, now, 7 * 86_400_000)
        await stores.log.prune(orgId, now)
      }
    }
  }

  /**
   * Runs the escalation steps and acknowledgement reminders that are due. A step is sent once
   * (claimed in the notification log) and the group's escalation moves on by compare-and-set;
   * a step whose send failed stays due and is tried again.
   */
  async #escalate(now: number): Promise<void> {
    const stores = await this.stores()
    for (const [orgId, org] of this.#orgs) {
      const config = org.dispatcher.config
      try {
        for (const doc of await stores.groups.escalationsDue(orgId, now)) {
          const state = doc.escalation!
          const policy = config.escalation_policies.find((p) => p.name === state.policy)
          if (!policy) {
            await stores.groups.advanceEscalation(orgId, doc._id, state, { ...state, done: true, remindAt: undefined })
            continue
          }
          const reminder = doc.state === AlertGroupStates.acknowledged
          const step = policy.steps[reminder ? 0 : state.step]!
          const notice = { policy: policy.name, round: state.round, step: reminder ? 0 : state.step, reminder, targets: stepTargets(step, config.schedules, config.users, now) }
          if (!(await org.dispatcher.escalate(doc, notice, step.receiver, stores.log, now))) continue
          const next = reminder ? { ...state, remindAt: now + policy.ack_reminder! } : advanceEscalation(policy, state, now)
          await stores.groups.advanceEscalation(orgId, doc._id, state, next)
        }
      } catch (error) {
        this.#logger.error('escalating alert groups failed; retrying', { orgId, error: describeError(error) })
      }
    }
  }

  /** Runs the metric and frequency rules of every organization (in the background of the loop). */
  async #evaluatePeriodic(now: number): Promise<void> {
    const stores = await this.stores()
    this.#issues ??= await openIssueStores(this.#deps.metadata)
    const platform = this.#deps
    const deps: PeriodicDeps = {
      get eventStore() {
        return platform.eventStore
      },
      issues: this.#issues,
      projectsOf: async (orgId: string) => (await platform.projects.projects.find({ orgId }, { limit: 100_000 })).map((p) => p._id),
      alerts: stores.alerts,
      logger: this.#logger,
      scoreThreshold: async (sensitivity: Sensitivity) => scoreThreshold(sensitivity),
    }
    for (const [orgId, org] of this.#orgs) {
      try {
        await evaluatePeriodicRules(deps, orgId, org.dispatcher.config, now, (alert) => org.dispatcher.put(alert, Date.now()))
      } catch (error) {
        this.#logger.error('periodic rule evaluation failed', { orgId, error: describeError(error) })
      }
    }
  }

  async #handle<T>(message: BusMessage, what: string, decode: (data: Uint8Array) => { ok: true; message: T } | { ok: false; reason: string }, apply: (decoded: T, now: number) => Promise<void>): Promise<void> {
    const decoded = decode(message.data)
    if (!decoded.ok) {
      this.#logger.error(`undecodable ${what} dead-lettered`, { id: message.id, reason: decoded.reason })
      await this.#deps.bus.deadLetter(message, `undecodable ${what}: ${decoded.reason}`)
      return
    }
    try {
      await apply(decoded.message, Date.now())
      await message.ack()
    } catch (error) {
      this.#logger.warn(`applying a ${what} failed; retrying`, { id: message.id, error: describeError(error) })
      if (message.deliveryCount >= 5) await this.#deps.bus.deadLetter(message, describeError(error))
      else await message.nak(1_000 * message.deliveryCount)
    }
  }

  async #apply(event: IssueEvent, now: number): Promise<void> {
    const orgId = await this.#projectOrgs.orgOf(event.projectId)
    const org = orgId ? this.#orgs.get(orgId) : undefined
    if (!orgId || !org) return
    const { alerts } = await this.stores()
    const outcome = evaluateIssueEvent(org.dispatcher.config, event, now)
    for (const alert of outcome.fire) org.dispatcher.put(await alerts.put(orgId, alert, now), now)
    if (outcome.resolveIssue) for (const ended of await alerts.resolveIssue(orgId, outcome.resolveIssue.issueId, now)) org.dispatcher.put(ended, now)
  }

  /** A security detection enters routing as an alert of its project's organization. */
  async #applySignal(signal: SignalMessage, now: number): Promise<void> {
    const orgId = await this.#projectOrgs.orgOf(signal.projectId)
    const org = orgId ? this.#orgs.get(orgId) : undefined
    if (!orgId || !org) return
    const { alerts } = await this.stores()
    org.dispatcher.put(await alerts.put(orgId, signalAlert(signal, now), now), now)
  }
}

function parseStored(texts: string[]): Matcher[] {
  return texts.flatMap((text) => {
    const parsed = parseMatcher(text)
    return parsed.ok ? [parsed.value] : []
  })
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())
