/** What the stream's switchers and menus offer for one project: its environments and who can be assigned. */
import { api, type MemberView } from '$lib/api'

export class ProjectFacets {
  environments = $state.raw<string[]>([])
  assignees = $state.raw<MemberView[]>([])
  error = $state<unknown>(null)

  constructor(projectId: string, canTriage: boolean) {
    void this.#load(projectId, canTriage)
  }

  userIdOf(email: string): string | undefined {
    return this.assignees.find((a) => a.email.toLowerCase() === email.toLowerCase())?.id
  }

  async #load(projectId: string, canTriage: boolean): Promise<void> {
    try {
      const [environments, assignees] = await Promise.all([api.tags.values(projectId, 'environment', ''), canTriage ? api.assignees(projectId) : { data: [] }])
      this.environments = environments.data.map((e) => e.value)
      this.assignees = assignees.data
    } catch (error) {
      this.error = error
    }
  }
}
