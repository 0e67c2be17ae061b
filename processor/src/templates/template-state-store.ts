/**
 * Miner state per project in the metadata store (`template_miners`, `_id` = project id, within
 * the project's organization), written
 * with a revision check: a save only lands on the revision it was based on, so two replicas can
 * never overwrite each other's templates unseen; the loser merges and tries again.
 */
import { FaultlineError, MetadataError } from '@faultline/core/errors'
import type { CollectionSpec, MetadataStore } from '@faultline/core/ports'
import { TenantCollection } from '@faultline/core/tenancy'
import type { TemplateMinerState } from '@faultline/intelligence'

/** The document the API reads too (aliases and live template texts). */
export interface TemplateMinerDoc {
  _id: string
  orgId: string
  projectId: string
  /** Starts at 1 and grows by one with every save. */
  revision: number
  updatedAt: number
  state: TemplateMinerState
}

export const templateMinersCollection: CollectionSpec = { name: 'template_miners', indexes: [] }

export type TemplatePersistenceErrorCode = 'load_failed' | 'save_conflict'
export class TemplatePersistenceError extends FaultlineError<TemplatePersistenceErrorCode> {}

export interface StoredState {
  state: TemplateMinerState
  revision: number
}

export type SaveResult = { ok: true; revision: number } | { ok: false; current: StoredState }

export class TemplateStateStore {
  readonly #collection: TenantCollection<TemplateMinerDoc>

  private constructor(collection: TenantCollection<TemplateMinerDoc>) {
    this.#collection = collection
  }

  static async open(metadata: MetadataStore): Promise<TemplateStateStore> {
    return new TemplateStateStore(await TenantCollection.open<TemplateMinerDoc>(metadata, templateMinersCollection))
  }

  async load(orgId: string, projectId: string): Promise<StoredState | undefined> {
    const doc = await this.#collection.get(orgId, projectId)
    return doc ? { state: doc.state, revision: doc.revision } : undefined
  }

  /**
   * Writes `state` when the stored revision is still `basedOn` (0: nothing stored yet). On a
   * conflict returns what is stored now, for the caller to merge with.
   */
  async save(orgId: string, projectId: string, state: TemplateMinerState, basedOn: number, now = Date.now()): Promise<SaveResult> {
    if (basedOn === 0) {
      try {
        await this.#collection.insert(orgId, { _id: projectId, projectId, revision: 1, updatedAt: now, state })
        return { ok: true, revision: 1 }
      } catch (error) {
        if (!(error instanceof MetadataError && error.code === 'duplicate')) throw error
      }
    } else {
      const updated = await this.#collection.findOneAndUpdate(
        orgId,
        { _id: projectId, revision: basedOn },
        { $set: { state, updatedAt: now }, $inc: { revision: 1 } },
      )
      if (updated) return { ok: true, revision: updated.revision }
    }
    const current = await this.load(orgId, projectId)
    // Deleted between the two calls: the next attempt inserts.
    return { ok: false, current: current ?? { state: { version: 1, clusters: [], aliases: {} }, revision: 0 } }
  }
}
