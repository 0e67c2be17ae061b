/** "Everything about this IP / user / session" and the errors of the same users beside it. */
import type { PivotField, SecurityClient, SecurityPivot } from '$lib/api/security'
import { securityApi } from '$lib/api/security'

export class SecurityPivotState {
  pivot = $state.raw<SecurityPivot | null>(null)
  loading = $state(false)
  error = $state<unknown>(null)
  readonly #projectId: string
  readonly #client: Pick<SecurityClient, 'pivot'>
  #generation = 0

  constructor(projectId: string, client: Pick<SecurityClient, 'pivot'> = securityApi) {
    this.#projectId = projectId
    this.#client = client
  }

  /** Loads the pivot; a newer call wins over one still in flight. */
  async load(field: PivotField, value: string, window: { startDate: number; endDate: number }): Promise<void> {
    const generation = ++this.#generation
    this.loading = true
    this.error = null
    try {
      const pivot = await this.#client.pivot(this.#projectId, { field, value, ...window })
      if (generation === this.#generation) this.pivot = pivot
    } catch (error) {
      if (generation === this.#generation) {
        this.error = error
        this.pivot = null
      }
    } finally {
      if (generation === this.#generation) this.loading = false
    }
  }
}
