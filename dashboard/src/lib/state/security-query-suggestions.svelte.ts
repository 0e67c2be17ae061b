/**
 * Suggestions for the security query box of one project: field names of the language, then the
 * most frequent values of the field under the caret in the searched time range (asked for as the
 * analyst types, the previous request cancelled).
 */
import type { SecurityClient } from '$lib/api/security'
import { securityApi } from '$lib/api/security'
import { fieldSuggestions, queryCompletionTarget, valueSuggestions, type QueryCompletionTarget, type QuerySuggestion } from '$lib/security/query-completion'

export class SecurityQuerySuggestions {
  suggestions = $state.raw<QuerySuggestion[]>([])
  target = $state.raw<QueryCompletionTarget | null>(null)
  readonly #projectId: string
  readonly #client: Pick<SecurityClient, 'fieldValues'>
  #values = new AbortController()

  constructor(projectId: string, client: Pick<SecurityClient, 'fieldValues'> = securityApi) {
    this.#projectId = projectId
    this.#client = client
  }

  /** Recomputes the suggestions for the text and caret; values are those of `window`. */
  async update(text: string, caret: number, window: { startDate: number; endDate: number }): Promise<void> {
    const target = queryCompletionTarget(text, caret)
    this.target = target
    this.#values.abort()
    if (!target || target.mode === 'field') {
      this.suggestions = target ? fieldSuggestions(target.prefix) : []
      return
    }
    const controller = (this.#values = new AbortController())
    try {
      const answer = await this.#client.fieldValues(this.#projectId, { field: target.field!, prefix: target.prefix, ...window, limit: 10 }, controller.signal)
      if (this.target === target) this.suggestions = valueSuggestions(answer.values.filter((v) => v.value !== target.prefix))
    } catch {
      // An unknown field or a lost answer: no suggestions, typing goes on (the search itself reports a bad query).
      if (!controller.signal.aborted && this.target === target) this.suggestions = []
    }
  }

  close(): void {
    this.#values.abort()
    this.suggestions = []
    this.target = null
  }
}
