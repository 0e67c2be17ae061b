/** The project and organization the user is in: from the URL, else the last one used, else the first. */
import type { ProjectView } from '$lib/api'

const lastProjectKey = 'faultline.project'

export function rememberProject(projectId: string): void {
  try {
    localStorage.setItem(lastProjectKey, projectId)
  } catch {
    // Storage disabled: the first project is the default.
  }
}

export function defaultProject(projects: ProjectView[]): ProjectView | undefined {
  let last: string | null = null
  try {
    last = localStorage.getItem(lastProjectKey)
  } catch {
    last = null
  }
  return projects.find((p) => p.id === last) ?? projects[0]
}
