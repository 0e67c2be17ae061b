/**
 * Gives every event a message template from its project's miner. Each project's miner is loaded
 * from the metadata store on its first event and saved back after changes (throttled, and at
 * stop), so template ids survive restarts; a save that finds another replica's newer state
 * merges with it first (see merge-states.ts).
 */
import { describeError } from '@faultline/core/errors'
import type { Logger } from '@faultline/core/log'
import type { Counter, MetricsRegistry } from '@faultline/core/metrics'
import type { MetadataStore } from '@faultline/core/ports'
import { TemplateRegistry, type TemplateMinerOptions } from '@faultline/intelligence'
import type { NormalizedEvent } from '../normalize'
import { mergeMinerStates } from './merge-states'
import { TemplatePersistenceError, TemplateStateStore } from './template-state-store'

export interface EventTemplaterOptions {
  /** Least time between two saves of a project whose templates were created or changed. */
  saveIntervalMs: number
  /** Least time between saves when only counts and last-seen times moved. */
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
   * are not mined twice). A miner that throws on a message leaves that event with an empty
   * template and is logged; failing to load a project's saved state throws, so the batch is
   * retried rather than mined against an empty miner.
   */
  assign(events: Templated[]): Promise<void> {
    return this.#exclusive(async () => {
      const pending = events.filter((e) => e.templateId === undefined)
      for (const projectId of new Set(pending.map((e) => e.event.projectId))) await this.#ensureLoaded(projectId)
      for (const item of pending) this.#mine(item)
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

  async #ensureLoaded(projectId: string): Promise<void> {
    if (this.#projects.has(projectId)) return
    const orgId = await this.#organizationOf(projectId)
    if (orgId === undefined) throw new TemplatePersistenceError('load_failed', `project ${projectId} does not exist`)
    let stored
    try {
      stored = await (await this.#openStore()).load(orgId, projectId)
    } catch (cause) {
      throw new TemplatePersistenceError('load_failed', `loading the template miner of project ${projectId} failed`, { cause })
    }
    if (stored) this.#registry.restore(projectId, stored.state)
    else this.#registry.miner(projectId)
    // A restored miner counts as just saved: nothing to write until it changes.
    this.#projects.set(projectId, { orgId, revision: stored?.revision ?? 0, dirt: Dirt.none, lastSaved: Date.now() })
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
    let state = this.#registry.snapshot(projectId)!
    for (let attempt = 1; attempt <= this.#options.maxSaveAttempts; attempt++) {
      const result = await store.save(project.orgId, projectId, state, project.revision, now)
      if (result.ok) {
        project.revision = result.revision
        project.dirt = Dirt.none
        project.lastSaved = now
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
