/**
 * Each project's compiled scrubber on this ingest replica. Compiled once per settings version;
 * a change announced on the cache's pub/sub channel drops the compiled one at once, and every
 * `refreshMs` the stored version is read again in the background (a pub/sub message can be lost
 * while a replica reconnects), so new rules reach new events within seconds, without a restart.
 */
import { describeError } from '@faultline/core/errors'
import type { Logger } from '@faultline/core/log'
import type { Cache } from '@faultline/core/ports'
import { parseSettingsChange, PRIVACY_SETTINGS_CHANNEL, projectHashKey, type PrivacySettingsStore } from '@faultline/core/privacy'
import type { ProjectOrganizations } from '@faultline/core/projects'
import type { SecretStore } from '@faultline/core/secrets'
import { scrubberFromSettings, type Scrubber } from './scrubber'

export interface ProjectScrubbersDeps {
  settings: PrivacySettingsStore
  /** Settings are read through the project's organization. */
  organizations: Pick<ProjectOrganizations, 'orgOf'>
  secrets: SecretStore
  cache: Cache
  logger: Logger
  /** How often a compiled scrubber's version is checked against the store. */
  refreshMs?: number
}

interface Entry {
  orgId: string
  version: number
  scrubber: Scrubber
  checkedAt: number
  refreshing?: Promise<void>
}

export class ProjectScrubbers {
  readonly #deps: ProjectScrubbersDeps
  readonly #refreshMs: number
  readonly #entries = new Map<string, Entry>()
  readonly #loading = new Map<string, Promise<Entry>>()
  /** The newest version announced per project, so a load that raced an announcement is not kept. */
  readonly #announced = new Map<string, number>()
  #unsubscribe: (() => Promise<void>) | undefined

  private constructor(deps: ProjectScrubbersDeps) {
    this.#deps = deps
    this.#refreshMs = deps.refreshMs ?? 5_000
  }

  static async open(deps: ProjectScrubbersDeps): Promise<ProjectScrubbers> {
    const scrubbers = new ProjectScrubbers(deps)
    scrubbers.#unsubscribe = await deps.cache.subscribe(PRIVACY_SETTINGS_CHANNEL, (message) => {
      const change = parseSettingsChange(message)
      if (!change) return
      scrubbers.#announced.set(change.projectId, Math.max(change.version, scrubbers.#announced.get(change.projectId) ?? 0))
      const entry = scrubbers.#entries.get(change.projectId)
      if (entry && entry.version < change.version) scrubbers.#entries.delete(change.projectId)
    })
    return scrubbers
  }

  /** The project's scrubber; rejects when its settings or hashing secret cannot be read. */
  async forProject(projectId: string, now = Date.now()): Promise<Scrubber> {
    let entry = this.#entries.get(projectId)
    if (entry && entry.version < (this.#announced.get(projectId) ?? 0)) {
      this.#entries.delete(projectId)
      entry = undefined
    }
    if (entry) {
      if (now - entry.checkedAt >= this.#refreshMs && !entry.refreshing) this.#refresh(projectId, entry, now)
      return entry.scrubber
    }
    let loading = this.#loading.get(projectId)
    if (!loading) {
      loading = this.#load(projectId, now).finally(() => this.#loading.delete(projectId))
      this.#loading.set(projectId, loading)
    }
    return (await loading).scrubber
  }

  async close(): Promise<void> {
    await this.#unsubscribe?.()
  }

  async #load(projectId: string, now: number): Promise<Entry> {
    const orgId = await this.#deps.organizations.orgOf(projectId)
    if (orgId === undefined) throw new Error(`project ${projectId} does not exist`)
    const [current, hashKey] = await Promise.all([this.#deps.settings.get(orgId, projectId), projectHashKey(this.#deps.secrets, projectId)])
    const entry: Entry = { orgId, version: current.version, scrubber: scrubberFromSettings(current.settings, hashKey), checkedAt: now }
    this.#entries.set(projectId, entry)
    return entry
  }

  /** In the background: events keep the compiled scrubber until a newer version is compiled. */
  #refresh(projectId: string, entry: Entry, now: number): void {
    entry.refreshing = (async () => {
      try {
        const current = await this.#deps.settings.get(entry.orgId, projectId)
        if (current.version === entry.version) entry.checkedAt = now
        else if (this.#entries.get(projectId) === entry) await this.#load(projectId, now)
      } catch (error) {
        this.#deps.logger.warn('re-reading privacy settings failed; the compiled rules stay until the next try', { projectId, error: describeError(error) })
      } finally {
        entry.refreshing = undefined
      }
    })()
  }
}
