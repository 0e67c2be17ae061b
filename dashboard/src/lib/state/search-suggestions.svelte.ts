/**
 * Suggestions for the search box of one project: tag keys (loaded once) and the values of the key
 * under the caret (asked for as the user types, the previous request cancelled).
 */
import { api } from '$lib/api'
import { completionTarget, staticValues, suggest, type CompletionTarget, type KeyCount, type Suggestion } from '$lib/query'

export type SuggestionClient = { tags: Pick<typeof api.tags, 'keys' | 'values'> }

export class SearchSuggestions {
  suggestions = $state.raw<Suggestion[]>([])
  target = $state.raw<CompletionTarget | null>(null)
  #keys: KeyCount[] = []
  #keysLoaded: Promise<void> | null = null
  #values = new AbortController()
  readonly #projectId: string
  readonly #client: SuggestionClient

  constructor(projectId: string, client: SuggestionClient = api) {
    this.#projectId = projectId
    this.#client = client
  }

  /** Recomputes the suggestions for the text and caret; values of data keys are fetched. */
  async update(text: string, caret: number): Promise<void> {
    const target = completionTarget(text, caret)
    this.target = target
    this.#values.abort()
    this.#keysLoaded ??= this.#client.tags.keys(this.#projectId).then(
      (answer) => void (this.#keys = answer.data),
      () => void (this.#keys = []), // keys from the data are a help, not a need: the built-in ones remain
    )
    await this.#keysLoaded
    if (this.target !== target) return
    let values: string[] = []
    if (target.mode === 'value' && !staticValues(target.key!)) {
      const controller = (this.#values = new AbortController())
      try {
        values = (await this.#client.tags.values(this.#projectId, target.key!, target.prefix, controller.signal)).data.map((v) => v.value)
      } catch {
        if (controller.signal.aborted) return
        values = [] // the key may be unknown: no suggestions, typing goes on
      }
      if (this.target !== target) return
    }
    this.suggestions = suggest(target, { keys: this.#keys, values })
  }

  close(): void {
    this.#values.abort()
    this.suggestions = []
    this.target = null
  }
}
