/**
 * The organization of each project, for code that starts from a project id (a bus message, a
 * lifecycle event) and must reach the project's tenant documents. Cached without expiry: a
 * project never moves to another organization.
 */
import type { Collection } from '../ports/metadata'
import type { ProjectDoc } from './projects'

export class ProjectOrganizations {
  readonly #projects: Collection<ProjectDoc>
  readonly #known = new Map<string, string>()

  constructor(projects: Collection<ProjectDoc>) {
    this.#projects = projects
  }

  /** The organization of each project that exists (unknown projects are left out). */
  async of(projectIds: Iterable<string>): Promise<Map<string, string>> {
    const wanted = [...new Set(projectIds)]
    const missing = wanted.filter((id) => !this.#known.has(id))
    if (missing.length > 0) {
      if (this.#known.size > 100_000) this.#known.clear()
      for (const project of await this.#projects.getMany(missing)) this.#known.set(project._id, project.orgId)
    }
    return new Map(wanted.flatMap((id) => (this.#known.has(id) ? [[id, this.#known.get(id)!] as const] : [])))
  }

  async orgOf(projectId: string): Promise<string | undefined> {
    return (await this.of([projectId])).get(projectId)
  }
}
