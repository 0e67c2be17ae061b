/**
 * What the switchers and menus offer for one project: its environments (the stream's switcher)
 * and who can be assigned (triage). Each is asked only where shown: the environments' query
 * reads the events, and the issue page would only wait behind it.
 */
import { api, type MemberView } from '$lib/api'

export class ProjectFacets {
  environments = $state.raw<string[]>([])
  assignees = $state.raw<MemberView[]>([])
  error = $state<unknown>(null)

  constructor(projectId: string, wanted: { environments: boolean; assignees: boolean }) {
    void this.#load(projectId, wanted)
  }

  userIdOf(email: string): string | undefined {
    return this.assignees.find((a) => a.email.toLowerCase() === email.toLowerCase())?.id
  }

  async #load(projectId: string, wanted: { environments: boolean; assignees: boolean }): Promise<void> {
    try {
      const [environments, assignees] = await Promise.all([
        wanted.environments ? api.tags.values(projectId, 'environment', '') : { data: [] },
        wanted.assignees ? api.assignees(projectId) : { data: [] },
      ])
      this.environments = environments.data.map((e) => e.value)
      this.assignees = assignees.data
    } catch (error) {
      this.error = error
    }
  }
}
