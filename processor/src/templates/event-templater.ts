/**
 * Gives every event a message template from its project's miner. Each project's miner is loaded
 * on its first event from the metadata store (the snapshot plus the journal written after it).
 * The structural changes a batch makes (templates created or widened, merges) are appended to
 * the journal before `assign` returns, so before the batch's events are stored and acknowledged:
 * a crash afterwards loses no template or merge that a stored event refers to. Snapshots are
 * written after changes (throttled, and at stop) and let the journal be dropped; a snapshot that
 * finds another replica's newer one merges with it first (see merge-states.ts).
 */
import { describeError } from '@faultline/core/errors'
import type { Logger } from '@faultline/core/log'
import type { Counter, MetricsRegistry } from '@faultline/core/metrics'
import type { MetadataStore } from '@faultline/core/ports'
import { TemplateRegistry, combineChanges, isEmptyChanges, replayJournal, type TemplateChanges, type TemplateMinerOptions } from '@faultline/intelligence'
import type { NormalizedEvent } from '../normalize'
import { mergeMinerStates } from './merge-states'
import { TemplatePersistenceError, TemplateStateStore } from './template-state-store'

export interface EventTemplaterOptions {
  /** Least time between two snapshots of a project whose templates were created or changed. */
  saveIntervalMs: number
  /** Least time between snapshots when only counts and last-seen times moved. */
  countsSaveIntervalMs: number
  /** Saves that keep meeting newer states give up after this many merges (and retry later). */
  maxSaveAttempts: number
  miner: Partial<TemplateMinerOptions>
}

export const defaultTemplaterOptions: EventTemplaterOptions = { saveIntervalMs: 5_000, countsSaveIntervalMs: 60_000, maxSaveAttempts: 5, miner: {} }

/** What an event is templated on (`template` is undefined until the event went through `assign`). */
export interface Templated {
  event: NormalizedEvent
  templateId?: string
  template?: string
}

const Dirt = { none: 0, counts: 1, structure: 2 } as const
type Dirt = (typeof Dirt)[keyof typeof Dirt]

interface ProjectMiner {
  /** The project's organization: its miner state is stored there. */
  orgId: string
  /** The stored revision this miner's state builds on (0: nothing stored yet). */
  revision: number
  dirt: Dirt
  lastSaved: number
  /** Structural changes not yet in the journal. */
  unwritten: TemplateChanges | undefined
  /** Journal entries this miner holds: dropped once a snapshot of it is saved. */
  journaled: string[]
}

/** The text a template is mined from: the message, else the outermost exception's value or type. */
export function templateText(event: NormalizedEvent): string {
  const outermost = event.exceptions.at(-1)
  return event.message || outermost?.value || outermost?.type || event.title
}

export interface EventTemplaterDeps {
  metadata: MetadataStore
  logger: Logger
  metrics: MetricsRegistry
  /** The organization of a project (undefined when it does not exist). */
  organizationOf(projectId: string): Promise<string | undefined>
}

export class EventTemplater {
  readonly #metadata: MetadataStore
  readonly #organizationOf: EventTemplaterDeps['organizationOf']
  readonly #logger: Logger
  readonly #options: EventTemplaterOptions
  readonly #registry: TemplateRegistry
  readonly #projects = new Map<string, ProjectMiner>()
  readonly #failures: Counter
  #store: Promise<TemplateStateStore> | undefined
  // Mining and saving take turns: a save may replace a miner with a merged one after an await,
  // which must not drop templates mined in between.
  #turn: Promise<unknown> = Promise.resolve()

  constructor(deps: EventTemplaterDeps, options: Partial<EventTemplaterOptions> = {}) {
    this.#metadata = deps.metadata
    this.#organizationOf = deps.organizationOf
    this.#logger = deps.logger.child({ component: 'event-templater' })
    this.#options = { ...defaultTemplaterOptions, ...options }
    this.#registry = new TemplateRegistry(this.#options.miner)
    this.#failures = deps.metrics.counter('faultline_processor_template_failures_total', 'Events stored without a template because the miner failed on them')
  }

  /**
   * Sets `templateId` and `template` on each event that has none yet (events retried one by one
   * are not mined twice), then journals the changes. A miner that throws on a message leaves that
   * event with an empty template and is logged; failing to load a project's saved state or to
   * write the journal throws, so the batch is retried (the unwritten changes are kept and go
   * with the next attempt).
   */
  assign(events: Templated[]): Promise<void> {
    return this.#exclusive(async () => {
      const pending = events.filter((e) => e.templateId === undefined)
      for (const projectId of new Set(pending.map((e) => e.event.projectId))) await this.#ensureLoaded(projectId)
      for (const item of pending) this.#mine(item)
      await this.#writeAhead()
    })
  }

  /** Saves projects whose changes are older than their interval; failures are logged, not thrown. */
  saveDue(now = Date.now()): Promise<void> {
    return this.#exclusive(() => this.#saveWhere((p) => (p.dirt === Dirt.structure && now - p.lastSaved >= this.#options.saveIntervalMs) || (p.dirt === Dirt.counts && now - p.lastSaved >= this.#options.countsSaveIntervalMs), now))
  }

  /** Saves every project with unsaved changes (at stop). */
  saveAll(now = Date.now()): Promise<void> {
    return this.#exclusive(() => this.#saveWhere((p) => p.dirt !== Dirt.none, now))
  }

  #mine(item: Templated): void {
    const { projectId, eventId, timestamp } = item.event
    const project = this.#projects.get(projectId)!
    try {
      const match = this.#registry.add(projectId, templateText(item.event), timestamp)
      item.templateId = match.templateId
      item.template = match.template
      const changed = match.change !== 'none' || match.mergedIds.length > 0
      project.dirt = Math.max(project.dirt, changed ? Dirt.structure : Dirt.counts) as Dirt
    } catch (error) {
      item.templateId = ''
      item.template = ''
      this.#failures.inc()
      this.#logger.error('template mining failed; the event is stored without a template', { projectId, eventId, error: describeError(error) })
    }
  }

  /** Appends each project's new structural changes to the journal. */
  async #writeAhead(): Promise<void> {
    for (const [projectId, project] of this.#projects) {
      const changes = this.#registry.miner(projectId).takeChanges()
      if (!isEmptyChanges(changes)) project.unwritten = project.unwritten ? combineChanges(project.unwritten, changes) : changes
      if (!project.unwritten) continue
      let id
      try {
        id = await (await this.#openStore()).append(project.orgId, projectId, project.unwritten)
      } catch (cause) {
        throw new TemplatePersistenceError('journal_failed', `writing the template journal of project ${projectId} failed`, { cause })
      }
      project.journaled.push(id)
      project.unwritten = undefined
    }
  }

  async #ensureLoaded(projectId: string): Promise<void> {
    if (this.#projects.has(projectId)) return
    const orgId = await this.#organizationOf(projectId)
    if (orgId === undefined) throw new TemplatePersistenceError('load_failed', `project ${projectId} does not exist`)
    let stored
    let journal
    try {
      const store = await this.#openStore()
      ;[stored, journal] = await Promise.all([store.load(orgId, projectId), store.journal(orgId, projectId)])
    } catch (cause) {
      throw new TemplatePersistenceError('load_failed', `loading the template miner of project ${projectId} failed`, { cause })
    }
    this.#registry.put(projectId, replayJournal(stored?.state, journal, this.#options.miner))
    // A restored miner counts as just saved; a replayed journal is written into the next snapshot.
    this.#projects.set(projectId, {
      orgId,
      revision: stored?.revision ?? 0,
      dirt: journal.length > 0 ? Dirt.structure : Dirt.none,
      lastSaved: Date.now(),
      unwritten: undefined,
      journaled: journal.map((entry) => entry._id),
    })
  }

  async #saveWhere(due: (project: ProjectMiner) => boolean, now: number): Promise<void> {
    for (const [projectId, project] of this.#projects) {
      if (!due(project)) continue
      try {
        await this.#save(projectId, project, now)
      } catch (error) {
        // Still dirty: the next batch or the stop tries again.
        this.#logger.error('saving a template miner failed', { projectId, error: describeError(error) })
      }
    }
  }

  async #save(projectId: string, project: ProjectMiner, now: number): Promise<void> {
    const store = await this.#openStore()
    // Templates created since the last consolidation are consolidated before they are kept.
    this.#registry.miner(projectId).settle()
    let state = this.#registry.snapshot(projectId)!
    for (let attempt = 1; attempt <= this.#options.maxSaveAttempts; attempt++) {
      const result = await store.save(project.orgId, projectId, state, project.revision, now)
      if (result.ok) {
        project.revision = result.revision
        project.dirt = Dirt.none
        project.lastSaved = now
        // The snapshot holds every change so far, journaled or not.
        this.#registry.miner(projectId).takeChanges()
        project.unwritten = undefined
        const held = project.journaled
        project.journaled = []
        await store.forget(project.orgId, held).catch((error: unknown) => {
          project.journaled.push(...held)
          this.#logger.warn('dropping saved template journal entries failed; retried after the next save', { projectId, error: describeError(error) })
        })
        return
      }
      // Another replica saved since our last read: take its templates and aliases, then retry.
      state = mergeMinerStates(state, result.current.state, this.#options.miner)
      this.#registry.restore(projectId, state)
      project.revision = result.current.revision
    }
    throw new TemplatePersistenceError('save_conflict', `template miner of project ${projectId} met a newer state ${this.#options.maxSaveAttempts} times in a row`)
  }

  #openStore(): Promise<TemplateStateStore> {
    this.#store ??= TemplateStateStore.open(this.#metadata).catch((error: unknown) => {
      this.#store = undefined
      throw error
    })
    return this.#store
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#turn.then(work, work)
    this.#turn = run.catch(() => undefined)
    return run
  }
}
