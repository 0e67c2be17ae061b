/**
 * The intelligence beside an issue: its event rate with anomaly scores and the forecast band,
 * root-cause hints, and similar issues. Each part loads on its own, so a slow or failing one
 * never holds up the others or the issue itself.
 */
import { api, type IssueRate, type RootCause, type SimilarIssues } from '$lib/api'

export type RateRange = '1h' | '24h' | '7d'

class Part<T> {
  value = $state.raw<T | null>(null)
  error = $state<unknown>(null)
  loading = $state(false)

  async load(fetch: () => Promise<T>): Promise<void> {
    this.loading = true
    try {
      this.value = await fetch()
      this.error = null
    } catch (error) {
      this.error = error
    } finally {
      this.loading = false
    }
  }
}

export class IssueInsights {
  range = $state<RateRange>('24h')
  readonly rate = new Part<IssueRate>()
  readonly rootCause = new Part<RootCause>()
  readonly similar = new Part<SimilarIssues>()
  readonly #projectId: string
  readonly #issueId: string

  constructor(projectId: string, issueId: string) {
    this.#projectId = projectId
    this.#issueId = issueId
  }

  load(): Promise<unknown> {
    return Promise.all([this.loadRate(), this.rootCause.load(() => api.intelligence.rootCause(this.#projectId, this.#issueId)), this.loadSimilar()])
  }

  loadRate(range: RateRange = this.range): Promise<void> {
    this.range = range
    return this.rate.load(() => api.intelligence.rate(this.#projectId, this.#issueId, range))
  }

  loadSimilar(): Promise<void> {
    return this.similar.load(() => api.intelligence.similar(this.#projectId, this.#issueId))
  }
}
