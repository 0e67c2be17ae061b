/**
 * What the switchers and menus offer for one project: who can be assigned (triage), and its
 * environments (the stream's switcher). The environments' query reads the events, so it is asked
 * only by the stream and only once its rows are in: the list does not wait behind it.
 */
import { api, type MemberView } from '$lib/api'

export class ProjectFacets {
  environments = $state.raw<string[]>([])
  assignees = $state.raw<MemberView[]>([])
  error = $state<unknown>(null)

  readonly #projectId: string
  #environmentsAsked = false

  constructor(projectId: string, canTriage: boolean) {
    this.#projectId = projectId
    if (canTriage) void this.#load(async () => (this.assignees = (await api.assignees(projectId)).data))
  }

  userIdOf(email: string): string | undefined {
    return this.assignees.find((a) => a.email.toLowerCase() === email.toLowerCase())?.id
  }

  /** Asks for the environments once; later calls do nothing. */
  loadEnvironments(): Promise<void> {
    if (this.#environmentsAsked) return Promise.resolve()
    this.#environmentsAsked = true
    return this.#load(async () => (this.environments = (await api.tags.values(this.#projectId, 'environment', '')).data.map((e) => e.value)))
  }

  async #load(run: () => Promise<unknown>): Promise<void> {
    try {
      await run()
    } catch (error) {
      this.error = error
    }
  }
}
