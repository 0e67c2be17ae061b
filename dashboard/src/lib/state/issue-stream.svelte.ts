/**
 * The issue stream of one project: the rows for the URL's search, paging, selection and the
 * keyboard cursor, bulk actions, and polling for new events (counts of shown rows update in
 * place; issues not shown yet are counted as "N new" until the user shows them).
 */
import { api, type IssueListQuery, type IssueView, type StatusChange } from '$lib/api'
import { listQuery, type StreamParams } from '$lib/issues'

export type StreamClient = { issues: Pick<typeof api.issues, 'list' | 'changeStatus' | 'merge' | 'assign'> }

export type BulkAction =
  | { kind: 'status'; change: StatusChange }
  | { kind: 'assign'; assigneeId: string | null }
  | { kind: 'merge' }

const pageSize = 25

export class IssueStreamState {
  issues = $state.raw<IssueView[]>([])
  nextCursor = $state<string | null>(null)
  loading = $state(false)
  loadingMore = $state(false)
  error = $state<unknown>(null)
  problems = $state.raw<string[]>([])
  /** Ids of issues with new activity that are not in the list yet (found by polling). */
  newIds = $state.raw(new Set<string>())
  selected = $state.raw(new Set<string>())
  /** The keyboard cursor: index into `issues`, -1 before the first j. */
  focus = $state(-1)
  /** What the last action did, for the status line (announced politely). */
  notice = $state<string | null>(null)
  busy = $state(false)

  readonly projectId: string
  readonly #client: StreamClient
  #query: IssueListQuery | null = null
  #generation = 0

  constructor(projectId: string, client: StreamClient = api) {
    this.projectId = projectId
    this.#client = client
  }

  get focused(): IssueView | undefined {
    return this.issues[this.focus]
  }

  /** What a bulk action applies to: the selection, else the row under the keyboard cursor. */
  get targets(): string[] {
    if (this.selected.size > 0) return [...this.selected]
    return this.focused ? [this.focused.id] : []
  }

  get allSelected(): boolean {
    return this.issues.length > 0 && this.issues.every((i) => this.selected.has(i.id))
  }

  /** Loads the first page for these parameters; a newer call wins over one still in flight. */
  async load(params: StreamParams, userIdOf?: (email: string) => string | undefined): Promise<void> {
    const { query, problems } = listQuery(params, Date.now(), userIdOf)
    const generation = ++this.#generation
    this.#query = query
    this.problems = problems
    this.error = null
    this.newIds = new Set()
    this.selected = new Set()
    this.focus = -1
    if (!query) {
      this.issues = []
      this.nextCursor = null
      return
    }
    this.loading = true
    try {
      const page = await this.#client.issues.list(this.projectId, { ...query, limit: pageSize })
      if (generation !== this.#generation) return
      this.issues = page.data
      this.nextCursor = page.nextCursor
    } catch (error) {
      if (generation === this.#generation) this.error = error
    } finally {
      if (generation === this.#generation) this.loading = false
    }
  }

  async loadMore(): Promise<void> {
    if (!this.#query || !this.nextCursor || this.loadingMore) return
    const generation = this.#generation
    this.loadingMore = true
    try {
      const page = await this.#client.issues.list(this.projectId, { ...this.#query, limit: pageSize, cursor: this.nextCursor })
      if (generation !== this.#generation) return
      const shown = new Set(this.issues.map((i) => i.id))
      this.issues = [...this.issues, ...page.data.filter((i) => !shown.has(i.id))]
      this.nextCursor = page.nextCursor
    } catch (error) {
      if (generation === this.#generation) this.error = error
    } finally {
      this.loadingMore = false
    }
  }

  /**
   * One polling round: the first page again. Rows already shown take the fresh counts, last seen
   * and status; other issues are remembered as new. When the list is empty they are shown at once.
   */
  async poll(): Promise<void> {
    if (!this.#query || this.loading || this.busy) return
    const generation = this.#generation
    const limit = Math.min(100, Math.max(pageSize, this.issues.length))
    const page = await this.#client.issues.list(this.projectId, { ...this.#query, limit })
    if (generation !== this.#generation) return
    const fresh = new Map(page.data.map((i) => [i.id, i]))
    const shown = new Set(this.issues.map((i) => i.id))
    if (this.issues.length === 0 && page.data.length > 0) {
      this.issues = page.data
      this.nextCursor = page.nextCursor
      return
    }
    this.issues = this.issues.map((issue) => fresh.get(issue.id) ?? issue)
    const unseen = page.data.filter((i) => !shown.has(i.id)).map((i) => i.id)
    if (unseen.length > 0) this.newIds = new Set([...this.newIds, ...unseen])
  }

  /** Polls every `intervalMs` until the returned function is called; a failed round is retried next time. */
  startPolling(intervalMs: number, onError: (error: unknown) => void = () => {}): () => void {
    const timer = setInterval(() => this.poll().catch(onError), intervalMs)
    return () => clearInterval(timer)
  }

  toggle(id: string): void {
    const next = new Set(this.selected)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    this.selected = next
  }

  toggleAll(): void {
    this.selected = this.allSelected ? new Set() : new Set(this.issues.map((i) => i.id))
  }

  clearSelection(): void {
    this.selected = new Set()
  }

  move(delta: number): void {
    if (this.issues.length === 0) return
    this.focus = Math.min(this.issues.length - 1, Math.max(0, this.focus + delta))
  }

  /** Applies a bulk action; rows that no longer match the search's status leave the list. */
  async apply(action: BulkAction, ids: string[] = this.targets): Promise<void> {
    if (ids.length === 0 || this.busy) return
    this.busy = true
    this.error = null
    try {
      let changed: IssueView[]
      if (action.kind === 'status') changed = (await this.#client.issues.changeStatus(this.projectId, ids, action.change)).data
      else if (action.kind === 'assign') changed = (await this.#client.issues.assign(this.projectId, ids, action.assigneeId)).data
      else {
        const survivor = await this.#client.issues.merge(this.projectId, ids)
        changed = [survivor, ...ids.filter((id) => id !== survivor.id).map((id) => ({ ...this.issues.find((i) => i.id === id)!, status: 'merged' as const }))]
      }
      this.#replace(changed)
      this.notice = describe(action, ids.length)
      this.selected = new Set()
    } catch (error) {
      this.error = error
    } finally {
      this.busy = false
    }
  }

  #replace(changed: IssueView[]): void {
    const byId = new Map(changed.map((i) => [i.id, i]))
    const wanted = this.#query?.status ?? 'all'
    const focusedId = this.focused?.id
    this.issues = this.issues
      .map((issue) => {
        const next = byId.get(issue.id)
        // The list answer carries the assignee and anomaly; an action's answer may not.
        return next ? { ...issue, ...next, assignee: 'assignee' in next ? next.assignee : issue.assignee } : issue
      })
      .filter((issue) => issue.status !== 'merged' && (wanted === 'all' || issue.status === wanted))
    const index = this.issues.findIndex((i) => i.id === focusedId)
    this.focus = index >= 0 ? index : Math.min(this.focus, this.issues.length - 1)
  }
}

function describe(action: BulkAction, n: number): string {
  const issues = n === 1 ? '1 issue' : `${n} issues`
  if (action.kind === 'merge') return `Merged ${issues}`
  if (action.kind === 'assign') return action.assigneeId ? `Assigned ${issues}` : `Unassigned ${issues}`
  const verbs: Record<StatusChange['status'], string> = {
    resolved: 'Resolved',
    resolved_in_next_release: 'Resolved in the next release:',
    unresolved: 'Reopened',
    ignored: 'Ignored',
  }
  return `${verbs[action.change.status]} ${issues}`
}
