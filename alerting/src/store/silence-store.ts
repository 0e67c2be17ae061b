/**
 * Silences made at run time (through the API or a Slack button): matchers, author, comment,
 * start and end. Silences written in the configuration live in it; both silence alike.
 */
import { randomUUID } from 'node:crypto'
import type { MetadataStore } from '@faultline/core/ports'
import { TenantCollection } from '@faultline/core/tenancy'

export interface SilenceDoc {
  _id: string
  orgId: string
  /** Matchers in their text form, e.g. `issue="42"`. */
  matchers: string[]
  startsAt: number
  endsAt: number
  createdBy: string
  comment: string
  createdAt: number
}

export class SilenceStore {
  readonly #docs: TenantCollection<SilenceDoc>

  private constructor(docs: TenantCollection<SilenceDoc>) {
    this.#docs = docs
  }

  static async open(metadata: MetadataStore): Promise<SilenceStore> {
    return new SilenceStore(await TenantCollection.open<SilenceDoc>(metadata, { name: 'alert_silences', indexes: ['orgId', 'endsAt'] }))
  }

  async create(orgId: string, silence: Omit<SilenceDoc, '_id' | 'orgId' | 'createdAt'>, now = Date.now()): Promise<SilenceDoc> {
    const doc: SilenceDoc = { ...silence, _id: randomUUID(), orgId, createdAt: now }
    await this.#docs.insert(orgId, doc)
    return doc
  }

  async get(orgId: string, id: string): Promise<SilenceDoc | null> {
    return this.#docs.get(orgId, id)
  }

  /** Ends a silence now; null when there is none with this id. */
  async expire(orgId: string, id: string, now = Date.now()): Promise<SilenceDoc | null> {
    return this.#docs.findOneAndUpdate(orgId, { _id: id }, { $min: { endsAt: now } })
  }

  /** Silences not yet ended (active or pending), newest first. */
  async current(orgId: string, now: number): Promise<SilenceDoc[]> {
    return this.#docs.find(orgId, { endsAt: { $gt: now } }, { sort: { field: 'endsAt', direction: 'desc' }, limit: 10_000 })
  }

  async list(orgId: string, limit: number): Promise<SilenceDoc[]> {
    return this.#docs.find(orgId, {}, { sort: { field: 'endsAt', direction: 'desc' }, limit })
  }
}
