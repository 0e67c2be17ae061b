/** A project's message patterns (mined templates), sorted and paged, and the events of the one opened. */
import { api, type PatternEvents, type PatternPage } from '$lib/api'
import { ResourceList } from './resource.svelte'

export type Pattern = PatternPage['data'][number]

export class PatternsState {
  sort = $state<'count' | 'last_seen'>('count')
  nextCursor = $state<string | null>(null)
  opened = $state<string | null>(null)
  events = $state.raw<PatternEvents | null>(null)
  readonly list: ResourceList<Pattern>
  readonly #projectId: string
  #rows: Pattern[] = []

  constructor(projectId: string) {
    this.#projectId = projectId
    this.list = new ResourceList(async () => {
      const page = await api.intelligence.patterns(this.#projectId, { sort: this.sort, stats: '24h', ...(this.nextCursor && { cursor: this.nextCursor }) })
      this.#rows = [...this.#rows, ...page.data]
      this.nextCursor = page.nextCursor
      return this.#rows
    })
  }

  load(sort = this.sort): Promise<void> {
    this.sort = sort
    this.#rows = []
    this.nextCursor = null
    return this.list.load()
  }

  more(): Promise<void> {
    return this.list.load()
  }

  async open(templateId: string): Promise<void> {
    if (this.opened === templateId) {
      this.opened = null
      return
    }
    this.opened = templateId
    this.events = null
    await this.list.run(async () => {
      this.events = await api.intelligence.patternEvents(this.#projectId, templateId)
    })
  }
}
