/**
 * One alerting configuration document per organization, replaced whole: applying a new
 * configuration is one compare-and-set on its revision, so it lands entirely or not at all and
 * two concurrent applies cannot interleave. The YAML-shaped source is kept for export.
 */
import type { Collection, MetadataStore } from '@faultline/core/ports'
import { validateConfig, type AlertingConfig } from '../config'

export interface ConfigDoc {
  _id: string // organization id
  revision: number
  source: Record<string, unknown>
  updatedAt: number
  updatedBy: string
}

export type ApplyResult = { ok: true; revision: number } | { ok: false; reason: 'conflict'; currentRevision: number }

export class ConfigStore {
  readonly #docs: Collection<ConfigDoc>

  private constructor(docs: Collection<ConfigDoc>) {
    this.#docs = docs
  }

  static async open(metadata: MetadataStore): Promise<ConfigStore> {
    return new ConfigStore(await metadata.collection<ConfigDoc>({ name: 'alerting_configs', indexes: ['revision'] }))
  }

  async get(orgId: string): Promise<ConfigDoc | null> {
    return this.#docs.get(orgId)
  }

  /** The parsed configuration of an organization; null when it has none (or it no longer validates). */
  async load(orgId: string): Promise<{ revision: number; config: AlertingConfig } | null> {
    const doc = await this.#docs.get(orgId)
    if (!doc) return null
    const checked = validateConfig(doc.source)
    return checked.ok ? { revision: doc.revision, config: checked.config } : null
  }

  /** Every organization's configuration revision, for a cheap "did anything change" poll. */
  async revisions(): Promise<Map<string, number>> {
    return new Map((await this.#docs.find({})).map((doc) => [doc._id, doc.revision]))
  }

  /** Replaces the configuration when its revision is still `expectedRevision` (0: none yet). */
  async apply(orgId: string, source: Record<string, unknown>, expectedRevision: number, updatedBy: string, now = Date.now()): Promise<ApplyResult> {
    const revision = expectedRevision + 1
    if (expectedRevision === 0) {
      const existing = await this.#docs.get(orgId)
      if (existing) return { ok: false, reason: 'conflict', currentRevision: existing.revision }
      try {
        await this.#docs.insert({ _id: orgId, revision, source, updatedAt: now, updatedBy })
        return { ok: true, revision }
      } catch {
        return { ok: false, reason: 'conflict', currentRevision: (await this.#docs.get(orgId))?.revision ?? 0 }
      }
    }
    const updated = await this.#docs.findOneAndUpdate({ _id: orgId, revision: expectedRevision }, { $set: { revision, source, updatedAt: now, updatedBy } })
    if (updated) return { ok: true, revision }
    return { ok: false, reason: 'conflict', currentRevision: (await this.#docs.get(orgId))?.revision ?? 0 }
  }
}
