/**
 * Who is signed in, their organizations, projects and permissions. One instance for the app
 * (`setSession`/`useSession`); every screen reads it, the sign-in page drives it.
 */
import { getContext, setContext } from 'svelte'
import { api, ApiError, type OrganizationView, type PermissionsView, type ProjectView, type SessionView, type UserView } from '$lib/api'

export type SessionStatus = 'loading' | 'signed-out' | 'signed-in' | 'error'
export type SignInStep = 'done' | 'second-factor'

interface Grants {
  role: string | null
  permissions: Set<string>
}

/** Where a permission is asked about: a project (its effective role) or an organization. */
export type Scope = { projectId: string } | { orgId: string }

export class SessionState {
  status = $state<SessionStatus>('loading')
  error = $state<ApiError | null>(null)
  user = $state.raw<UserView | null>(null)
  organizations = $state.raw<OrganizationView[]>([])
  projects = $state.raw<ProjectView[]>([])
  #orgGrants = $state.raw(new Map<string, Grants>())
  #projectGrants = $state.raw(new Map<string, Grants>())
  #loading: Promise<void> | null = null

  get signedIn(): boolean {
    return this.status === 'signed-in'
  }

  /** Loads the session once; later calls share the first load until `refresh`. */
  load(): Promise<void> {
    return (this.#loading ??= this.refresh())
  }

  async refresh(): Promise<void> {
    try {
      const session = await api.auth.session()
      const [orgs, projects, grants] = await Promise.all([api.organizations(), api.projects(), api.me.permissions()])
      this.#apply(session, orgs.data, projects.data, grants)
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.#clear('signed-out')
        return
      }
      this.error = error instanceof ApiError ? error : new ApiError(0, 'Error', String(error))
      this.status = 'error'
    }
  }

  /** Password step; answers whether a second factor is due before the session opens. */
  async signIn(email: string, password: string): Promise<SignInStep> {
    const result = await api.auth.login(email, password)
    if (result.secondFactorDue) return 'second-factor'
    await this.#reload()
    return 'done'
  }

  async verifySecondFactor(factor: { code: string } | { recoveryCode: string }): Promise<void> {
    await api.auth.verifySecondFactor(factor)
    await this.#reload()
  }

  async signOut(everywhere = false): Promise<void> {
    await (everywhere ? api.auth.logoutEverywhere() : api.auth.logout())
    this.#clear('signed-out')
  }

  /** The session ended under us (a 401 from any call): forget it, the layout sends to sign-in. */
  expired(): void {
    if (this.status === 'signed-in') this.#clear('signed-out')
  }

  roleIn(scope: Scope): string | null {
    return this.#grantsOf(scope)?.role ?? null
  }

  /** Whether the caller holds `permission` there (the API's matrix decides; this hides what it would refuse). */
  can(permission: string, scope: Scope): boolean {
    return this.#grantsOf(scope)?.permissions.has(permission) ?? false
  }

  /** Every permission held there, in the matrix's order (a token can carry at most these). */
  permissionsIn(scope: Scope): string[] {
    return [...(this.#grantsOf(scope)?.permissions ?? [])]
  }

  #grantsOf(scope: Scope): Grants | undefined {
    return 'projectId' in scope ? this.#projectGrants.get(scope.projectId) : this.#orgGrants.get(scope.orgId)
  }

  project(projectId: string): ProjectView | undefined {
    return this.projects.find((p) => p.id === projectId)
  }

  organization(orgId: string): OrganizationView | undefined {
    return this.organizations.find((o) => o.id === orgId)
  }

  async #reload(): Promise<void> {
    this.#loading = this.refresh()
    await this.#loading
  }

  #apply(session: SessionView, orgs: OrganizationView[], projects: ProjectView[], grants: PermissionsView): void {
    this.user = session.user
    this.organizations = orgs
    this.projects = projects
    this.#orgGrants = new Map(grants.orgs.map((g) => [g.orgId, { role: g.role, permissions: new Set(g.permissions) }]))
    this.#projectGrants = new Map(grants.projects.map((g) => [g.projectId, { role: g.role, permissions: new Set(g.permissions) }]))
    this.error = null
    this.status = 'signed-in'
  }

  #clear(status: SessionStatus): void {
    this.user = null
    this.organizations = []
    this.projects = []
    this.#orgGrants = new Map()
    this.#projectGrants = new Map()
    this.#loading = Promise.resolve()
    this.status = status
  }
}

const key = Symbol('session')
export const setSession = (session: SessionState) => setContext(key, session)
export const useSession = () => getContext<SessionState>(key)
