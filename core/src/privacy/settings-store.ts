/**
 * Privacy settings per project, versioned: `privacy_settings` holds the current version of each
 * project (compare-and-set on the version, so two writers never overwrite each other unseen) and
 * `privacy_settings_history` a snapshot of every version with who changed it and when. A change
 * is announced on the cache's `privacy-settings` channel, so every ingest replica recompiles its
 * rules within moments; replicas also re-read the version every few seconds in case a message
 * was lost. Both belong to the project's organization, which every call names (`TenantCollection`).
 */
import { MetadataError } from '../errors'
import type { Cache } from '../ports/cache'
import type { CollectionSpec, MetadataStore } from '../ports/metadata'
import { TenantCollection } from '../tenancy'
import { defaultPrivacySettings, type PrivacyDefaults, type PrivacySettings } from './settings'

export interface PrivacySettingsDoc {
  _id: string
  orgId: string
  projectId: string
  version: number
  settings: PrivacySettings
  updatedAt: number
  updatedBy: string
}

export interface PrivacySettingsHistoryDoc {
  _id: string // `${projectId}:${version}`
  orgId: string
  projectId: string
  version: number
  settings: PrivacySettings
  changedAt: number
  changedBy: string
}

/** What a project runs: its stored version, or the defaults as version 0. */
export interface CurrentPrivacySettings {
  version: number
  settings: PrivacySettings
  updatedAt?: number
  updatedBy?: string
}

export type SettingsUpdateResult = { ok: true; current: CurrentPrivacySettings } | { ok: false; reason: 'version_conflict'; current: CurrentPrivacySettings }

export const PRIVACY_SETTINGS_CHANNEL = 'privacy-settings'

export interface SettingsChangeMessage {
  projectId: string
  version: number
}

/** Declared once, shared with the metadata migration that gave the documents their organization. */
export const privacySettingsCollections: Record<'settings' | 'history', CollectionSpec> = {
  settings: { name: 'privacy_settings', indexes: ['projectId'] },
  history: { name: 'privacy_settings_history', indexes: ['projectId', 'version'] },
}

export class PrivacySettingsStore {
  readonly #docs: TenantCollection<PrivacySettingsDoc>
  readonly #history: TenantCollection<PrivacySettingsHistoryDoc>
  readonly #defaults: PrivacyDefaults

  private constructor(docs: TenantCollection<PrivacySettingsDoc>, history: TenantCollection<PrivacySettingsHistoryDoc>, defaults: PrivacyDefaults) {
    this.#docs = docs
    this.#history = history
    this.#defaults = defaults
  }

  static async open(metadata: MetadataStore, defaults: PrivacyDefaults): Promise<PrivacySettingsStore> {
    const docs = await TenantCollection.open<PrivacySettingsDoc>(metadata, privacySettingsCollections.settings)
    const history = await TenantCollection.open<PrivacySettingsHistoryDoc>(metadata, privacySettingsCollections.history)
    return new PrivacySettingsStore(docs, history, defaults)
  }

  /** The settings of the organization's project (another organization's project reads as the defaults). */
  async get(orgId: string, projectId: string): Promise<CurrentPrivacySettings> {
    const doc = await this.#docs.get(orgId, projectId)
    if (!doc) return { version: 0, settings: defaultPrivacySettings(this.#defaults) }
    return { version: doc.version, settings: doc.settings, updatedAt: doc.updatedAt, updatedBy: doc.updatedBy }
  }

  /**
   * Stores `settings` as the next version when the stored one is still `expectedVersion` (or
   * whatever it is, when not given), and records the version in the history.
   */
  async update(orgId: string, projectId: string, settings: PrivacySettings, options: { expectedVersion?: number; actor: string; now?: number }): Promise<SettingsUpdateResult> {
    const now = options.now ?? Date.now()
    const current = await this.get(orgId, projectId)
    if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) return { ok: false, reason: 'version_conflict', current }
    const version = current.version + 1
    const doc: PrivacySettingsDoc = { _id: projectId, orgId, projectId, version, settings, updatedAt: now, updatedBy: options.actor }
    if (current.version === 0) {
      try {
        await this.#docs.insert(orgId, doc)
      } catch (error) {
        if (error instanceof MetadataError && error.code === 'duplicate') return { ok: false, reason: 'version_conflict', current: await this.get(orgId, projectId) }
        throw error
      }
    } else {
      const updated = await this.#docs.findOneAndUpdate(orgId, { _id: projectId, version: current.version }, { $set: { settings, version, updatedAt: now, updatedBy: options.actor } })
      if (!updated) return { ok: false, reason: 'version_conflict', current: await this.get(orgId, projectId) }
    }
    // After the compare-and-set, which orders writers; a put is idempotent if this is retried.
    await this.#history.put(orgId, { _id: `${projectId}:${version}`, projectId, version, settings, changedAt: now, changedBy: options.actor })
    return { ok: true, current: { version, settings, updatedAt: now, updatedBy: options.actor } }
  }

  /** Versions newest first; the current one comes from the settings document, so none is ever missing. */
  async history(orgId: string, projectId: string, options: { limit: number; beforeVersion?: number }): Promise<PrivacySettingsHistoryDoc[]> {
    const filter = options.beforeVersion === undefined ? { projectId } : { projectId, version: { $lt: options.beforeVersion } }
    const found = await this.#history.find(orgId, filter, { sort: { field: 'version', direction: 'desc' }, limit: options.limit })
    const current = await this.#docs.get(orgId, projectId)
    if (current && (options.beforeVersion === undefined || current.version < options.beforeVersion) && !found.some((h) => h.version === current.version)) {
      found.unshift({ _id: `${projectId}:${current.version}`, orgId, projectId, version: current.version, settings: current.settings, changedAt: current.updatedAt, changedBy: current.updatedBy })
    }
    return found.slice(0, options.limit)
  }
}

export async function announceSettingsChange(cache: Cache, message: SettingsChangeMessage): Promise<void> {
  await cache.publish(PRIVACY_SETTINGS_CHANNEL, JSON.stringify(message))
}

export function parseSettingsChange(message: string): SettingsChangeMessage | undefined {
  try {
    const parsed = JSON.parse(message) as Partial<SettingsChangeMessage>
    return typeof parsed.projectId === 'string' && typeof parsed.version === 'number' ? { projectId: parsed.projectId, version: parsed.version } : undefined
  } catch {
    return undefined
  }
}
