/**
 * Investigations of a project: the list (with opening a new one), and one investigation with its
 * pinned events read back from the timeline, its notes, title and status.
 */
import type { Investigation, InvestigationChange, SecurityClient, TimelineRow } from '$lib/api/security'
import { securityApi } from '$lib/api/security'
import { eventIdsQuery } from '$lib/security/timeline-params'
import { FormAction } from './form-action.svelte'
import { NoteTimeline } from './note-timeline.svelte'
import { ResourceList } from './resource.svelte'

export type InvestigationClient = Pick<SecurityClient, 'search' | 'investigations'>

/** Pins are read back in searches of this many ids (the language takes 64 terms and 2,000 characters a query). */
const idsPerSearch = 40
/** Pinned events may be old: they are looked for over the longest range the API allows. */
const lookBackMs = 399 * 86_400_000

export class InvestigationListState {
  readonly list: ResourceList<Investigation>
  readonly #projectId: string
  readonly #client: InvestigationClient

  constructor(projectId: string, client: InvestigationClient = securityApi) {
    this.#projectId = projectId
    this.#client = client
    this.list = new ResourceList(async () => (await client.investigations.list(projectId)).data)
  }

  /** Opens an empty investigation; answers its id. */
  async create(title: string): Promise<string | undefined> {
    return (await this.list.change(() => this.#client.investigations.create(this.#projectId, title, []), `Opened “${title}”`))?._id
  }
}

export class InvestigationState {
  investigation = $state.raw<Investigation | null>(null)
  /** The pinned events that were found, in the order they were pinned. */
  events = $state.raw<TimelineRow[]>([])
  /** Pinned ids no longer stored (past retention, or erased). */
  missing = $state.raw<string[]>([])
  loading = $state(true)
  error = $state<unknown>(null)
  readonly action = new FormAction()
  readonly notes = new NoteTimeline(
    this.action,
    () => this.investigation?.notes ?? [],
    (text, notice) => this.#change({ note: text }, notice),
  )
  readonly #projectId: string
  readonly #id: string
  readonly #client: InvestigationClient

  constructor(projectId: string, investigationId: string, client: InvestigationClient = securityApi) {
    this.#projectId = projectId
    this.#id = investigationId
    this.#client = client
  }

  async load(now = Date.now()): Promise<void> {
    this.loading = true
    try {
      const investigation = await this.#client.investigations.get(this.#projectId, this.#id)
      await this.#show(investigation, now)
      this.error = null
    } catch (error) {
      this.error = error
    } finally {
      this.loading = false
    }
  }

  setStatus(status: 'open' | 'closed'): Promise<unknown> {
    return this.#change({ status }, status === 'closed' ? 'Investigation closed' : 'Investigation reopened')
  }

  rename(title: string): Promise<unknown> {
    return this.#change({ title }, 'Renamed')
  }

  unpin(eventId: string): Promise<unknown> {
    return this.#change({ unpin: [eventId] }, 'Event unpinned')
  }

  #change(change: InvestigationChange, notice: string): Promise<unknown> {
    return this.action.run(async () => {
      await this.#show(await this.#client.investigations.change(this.#projectId, this.#id, change))
    }, notice)
  }

  async #show(investigation: Investigation, now = Date.now()): Promise<void> {
    const ids = investigation.pinned.map((p) => p.eventId)
    const shown = new Map(this.events.map((e) => [e.id, e]))
    const wanted = ids.filter((id) => !shown.has(id))
    for (let i = 0; i < wanted.length; i += idsPerSearch) {
      const chunk = wanted.slice(i, i + idsPerSearch)
      const found = await this.#client.search(this.#projectId, { query: eventIdsQuery(chunk), startDate: now - lookBackMs, endDate: now + 60_000, limit: chunk.length })
      for (const row of found.data) shown.set(row.id, row)
    }
    this.investigation = investigation
    this.events = ids.flatMap((id) => shown.get(id) ?? [])
    this.missing = ids.filter((id) => !shown.has(id))
  }
}
