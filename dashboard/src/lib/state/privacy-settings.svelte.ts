/**
 * A project's privacy page: its scrubbing and retention settings with their version (a change is
 * sent against that version, so one made meanwhile is refused rather than overwritten), the rule
 * packs as written, and the settings' history.
 */
import { api, type PrivacySettings, type PrivacySettingsView, type RulePackView } from '$lib/api'

export type PrivacyClient = { privacy: Pick<typeof api.privacy, 'get' | 'packs' | 'change' | 'history'> }

export class PrivacySettingsState {
  current = $state.raw<PrivacySettingsView | null>(null)
  packs = $state.raw<RulePackView[]>([])
  history = $state.raw<PrivacySettingsView[]>([])
  loading = $state(false)
  error = $state<unknown>(null)

  readonly #projectId: string
  readonly #client: PrivacyClient

  constructor(projectId: string, client: PrivacyClient = api) {
    this.#projectId = projectId
    this.#client = client
  }

  async load(): Promise<void> {
    this.loading = true
    this.error = null
    try {
      const [current, packs, history] = await Promise.all([
        this.#client.privacy.get(this.#projectId),
        this.#client.privacy.packs(),
        this.#client.privacy.history(this.#projectId, 20),
      ])
      this.current = current
      this.packs = packs.data
      this.history = history.data
    } catch (error) {
      this.error = error
    } finally {
      this.loading = false
    }
  }

  /** Stores `settings` as the next version; throws the API's refusal (a 409 when they changed meanwhile). */
  async save(settings: PrivacySettings): Promise<PrivacySettingsView> {
    const updated = await this.#client.privacy.change(this.#projectId, this.current?.version ?? 0, settings)
    this.current = updated
    this.history = [updated, ...this.history.filter((h) => h.version !== updated.version)]
    return updated
  }
}
