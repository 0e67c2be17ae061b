/**
 * The security timeline of one project: the rows and histogram for the URL's search, keyset
 * "load more", the events the analyst pins (to open an investigation with, or to add to one), and
 * the project's saved searches.
 */
import type { Investigation, SecurityClient, SecurityHistogram, TimelineRow } from '$lib/api/security'
import { securityApi } from '$lib/api/security'
import { timeWindow, type TimelineParams } from '$lib/security/timeline-params'
import { FormAction } from './form-action.svelte'
import { ResourceList } from './resource.svelte'

export type TimelineClient = Pick<SecurityClient, 'search' | 'investigations' | 'savedSearches'>

const pageSize = 50

export class SecurityTimelineState {
  rows = $state.raw<TimelineRow[]>([])
  nextCursor = $state<string | null>(null)
  histogram = $state.raw<SecurityHistogram | null>(null)
  loading = $state(false)
  loadingMore = $state(false)
  error = $state<unknown>(null)
  /** Ids of the events the analyst pinned on this page, in the order pinned. */
  pinned = $state.raw<string[]>([])
  /** Saving a search, opening an investigation, adding pins: busy, error, what it did. */
  readonly action = new FormAction()
  readonly savedSearches: ResourceList<{ _id: string; name: string; query: string; columns: string[] }>
  /** The open investigations pins can be added to (loaded when the first event is pinned). */
  readonly investigations: ResourceList<Investigation>

  readonly projectId: string
  readonly #client: TimelineClient
  #search = $state.raw<{ query: string; startDate: number; endDate: number; columns: string[] } | null>(null)
  #generation = 0

  constructor(projectId: string, client: TimelineClient = securityApi) {
    this.projectId = projectId
    this.#client = client
    this.savedSearches = new ResourceList(async () => (await client.savedSearches.list(projectId)).data)
    this.investigations = new ResourceList(async () => (await client.investigations.list(projectId)).data.filter((i) => i.status === 'open'))
  }

  /** The window of the last search, for links (pivots, exports) that should cover the same time. */
  get window(): { startDate: number; endDate: number } | null {
    return this.#search && { startDate: this.#search.startDate, endDate: this.#search.endDate }
  }

  /** Loads the first page and the histogram for these parameters; a newer call wins over one still in flight. */
  async load(params: TimelineParams, now = Date.now()): Promise<void> {
    const generation = ++this.#generation
    // Written, never read here: `load` runs inside the page's effect, which must not depend on it.
    const search = { query: params.q, ...timeWindow(params, now), columns: params.columns }
    this.#search = search
    this.error = null
    this.loading = true
    try {
      const result = await this.#client.search(this.projectId, { ...search, histogram: true, limit: pageSize })
      if (generation !== this.#generation) return
      this.rows = result.data
      this.nextCursor = result.nextCursor
      this.histogram = result.histogram ?? null
    } catch (error) {
      if (generation !== this.#generation) return
      this.error = error
      this.rows = []
      this.nextCursor = null
      this.histogram = null
    } finally {
      if (generation === this.#generation) this.loading = false
    }
  }

  async loadMore(): Promise<void> {
    if (!this.#search || !this.nextCursor || this.loadingMore) return
    const generation = this.#generation
    this.loadingMore = true
    try {
      const result = await this.#client.search(this.projectId, { ...this.#search, cursor: this.nextCursor, limit: pageSize })
      if (generation !== this.#generation) return
      const shown = new Set(this.rows.map((r) => r.id))
      this.rows = [...this.rows, ...result.data.filter((r) => !shown.has(r.id))]
      this.nextCursor = result.nextCursor
    } catch (error) {
      if (generation === this.#generation) this.error = error
    } finally {
      this.loadingMore = false
    }
  }

  isPinned(id: string): boolean {
    return this.pinned.includes(id)
  }

  togglePin(id: string): void {
    const first = this.pinned.length === 0
    this.pinned = this.isPinned(id) ? this.pinned.filter((p) => p !== id) : [...this.pinned, id]
    if (first && this.pinned.length > 0) void this.investigations.load()
  }

  /** Opens an investigation with the pinned events; answers its id (the page goes there). */
  async openInvestigation(title: string): Promise<string | undefined> {
    const created = await this.action.run(() => this.#client.investigations.create(this.projectId, title, this.pinned), `Opened “${title}”`)
    if (created) this.pinned = []
    return created?._id
  }

  /** Adds the pinned events to an existing investigation. */
  async addToInvestigation(investigationId: string): Promise<boolean> {
    const n = this.pinned.length
    const changed = await this.action.run(() => this.#client.investigations.change(this.projectId, investigationId, { pin: this.pinned }), `Pinned ${n === 1 ? '1 event' : `${n} events`} to the investigation`)
    if (changed) this.pinned = []
    return changed !== undefined
  }

  saveSearch(name: string, params: Pick<TimelineParams, 'q' | 'columns'>): Promise<unknown> {
    return this.savedSearches.change(() => this.#client.savedSearches.save(this.projectId, { name, query: params.q, columns: params.columns }), `Saved “${name}”`)
  }

  removeSavedSearch(id: string): Promise<unknown> {
    return this.savedSearches.change(() => this.#client.savedSearches.remove(this.projectId, id), 'Deleted the saved search')
  }
}
