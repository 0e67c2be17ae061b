/**
 * One issue page: the issue with its tag distributions, the event shown (the latest, or the one in
 * the URL) with its neighbours, the activity, and the triage actions. Polls the issue so status
 * changes by new events (a regression) and new events show without a reload.
 */
import { api, type ActivityView, type EventNeighbours, type FullEvent, type IssueDetail, type StatusChange } from '$lib/api'

export type IssueClient = {
  issues: Pick<typeof api.issues, 'get' | 'neighbours' | 'activity' | 'changeStatus' | 'assign' | 'merge' | 'comment' | 'deleteComment'>
  event: typeof api.event
}

export class IssuePageState {
  issue = $state.raw<IssueDetail | null>(null)
  event = $state.raw<FullEvent | null>(null)
  neighbours = $state.raw<EventNeighbours | null>(null)
  activity = $state.raw<ActivityView[]>([])
  loading = $state(true)
  error = $state<unknown>(null)
  actionError = $state<unknown>(null)
  busy = $state(false)
  /** Events that arrived since the page loaded. */
  newEvents = $state(0)

  readonly projectId: string
  readonly issueId: string
  readonly #client: IssueClient
  #baseCount = 0
  /** The latest event as of the last poll, shown by `showLatest`. */
  #latestSeen: FullEvent | null = null

  constructor(projectId: string, issueId: string, client: IssueClient = api) {
    this.projectId = projectId
    this.issueId = issueId
    this.#client = client
  }

  /** Loads the issue and the event to show: `eventId`, or the latest. */
  async load(eventId?: string): Promise<void> {
    this.loading = true
    this.error = null
    try {
      const issue = await this.#client.issues.get(this.projectId, this.issueId)
      this.issue = issue
      this.#baseCount = issue.count
      this.newEvents = 0
      await Promise.all([this.showEvent(eventId ?? issue.latestEvent?.eventId), this.#loadActivity()])
    } catch (error) {
      this.error = error
    } finally {
      this.loading = false
    }
  }

  /** Shows another event of the issue (event navigation); the event shows before its neighbours arrive. */
  async showEvent(eventId: string | undefined): Promise<void> {
    if (!eventId) {
      this.event = null
      this.neighbours = null
      return
    }
    const latest = this.issue?.latestEvent
    const neighbours = this.#client.issues.neighbours(this.projectId, this.issueId, eventId)
    neighbours.catch(() => undefined) // awaited below; an early rejection must not go unhandled meanwhile
    this.neighbours = null
    this.event = latest?.eventId === eventId ? latest : await this.#client.event(this.projectId, eventId)
    this.neighbours = await neighbours
  }

  /** One polling round: fresh status and counts; new events are counted, not shown, until asked. */
  async refresh(): Promise<void> {
    if (this.busy || !this.issue) return
    const fresh = await this.#client.issues.get(this.projectId, this.issueId)
    const statusChanged = fresh.status !== this.issue.status || fresh.substatus !== this.issue.substatus
    this.issue = { ...fresh, latestEvent: this.issue.latestEvent }
    this.newEvents = Math.max(0, fresh.count - this.#baseCount)
    this.#latestSeen = fresh.latestEvent
    if (statusChanged) await this.#loadActivity()
  }

  /** Jumps to the newest event (after "N new events"). */
  async showLatest(): Promise<string | undefined> {
    const latest = this.#latestSeen ?? this.issue?.latestEvent ?? null
    if (this.issue && latest) this.issue = { ...this.issue, latestEvent: latest }
    this.#baseCount = this.issue?.count ?? 0
    this.newEvents = 0
    await this.showEvent(latest?.eventId)
    return latest?.eventId
  }

  async changeStatus(change: StatusChange): Promise<void> {
    await this.#act(async () => {
      const [updated] = (await this.#client.issues.changeStatus(this.projectId, [this.issueId], change)).data
      if (updated && this.issue) this.issue = { ...this.issue, ...updated }
    })
  }

  async assign(assigneeId: string | null): Promise<void> {
    await this.#act(async () => {
      const [updated] = (await this.#client.issues.assign(this.projectId, [this.issueId], assigneeId)).data
      if (updated && this.issue) this.issue = { ...this.issue, ...updated }
    })
  }

  /** Merges other issues into this one (a similar issue's one-click merge). */
  async mergeIn(otherIds: string[]): Promise<void> {
    await this.#act(async () => {
      const survivor = await this.#client.issues.merge(this.projectId, [this.issueId, ...otherIds], this.issueId)
      if (this.issue) this.issue = { ...this.issue, ...survivor, status: survivor.status }
    })
  }

  async comment(text: string): Promise<boolean> {
    return this.#act(async () => {
      await this.#client.issues.comment(this.projectId, this.issueId, text)
    })
  }

  async deleteComment(id: string): Promise<void> {
    await this.#act(() => this.#client.issues.deleteComment(this.projectId, this.issueId, id))
  }

  async #loadActivity(): Promise<void> {
    this.activity = (await this.#client.issues.activity(this.projectId, this.issueId)).data
  }

  /** Runs a change, then reloads the activity it wrote; the error is kept for the page to show. */
  async #act(change: () => Promise<void>): Promise<boolean> {
    if (this.busy) return false
    this.busy = true
    this.actionError = null
    try {
      await change()
      await this.#loadActivity()
      return true
    } catch (error) {
      this.actionError = error
      return false
    } finally {
      this.busy = false
    }
  }
}
