/**
 * Miner state per project in the metadata store (`template_miners`, `_id` = project id), written
 * with a revision check: a save only lands on the revision it was based on, so two replicas can
 * never overwrite each other's templates unseen; the loser merges and tries again.
 */
import { FaultlineError, MetadataError } from '@faultline/core/errors'
import type { Collection, CollectionSpec, MetadataStore } from '@faultline/core/ports'
import type { TemplateMinerState } from '@faultline/intelligence'

/** The document the API reads too (aliases and live template texts). */
export interface TemplateMinerDoc {
  _id: string
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
  readonly #collection: Collection<TemplateMinerDoc>

  private constructor(collection: Collection<TemplateMinerDoc>) {
    this.#collection = collection
  }

  static async open(metadata: MetadataStore): Promise<TemplateStateStore> {
    return new TemplateStateStore(await metadata.collection<TemplateMinerDoc>(templateMinersCollection))
  }

  async load(projectId: string): Promise<StoredState | undefined> {
    const doc = await this.#collection.get(projectId)
    return doc ? { state: doc.state, revision: doc.revision } : undefined
  }

  /**
   * Writes `state` when the stored revision is still `basedOn` (0: nothing stored yet). On a
   * conflict returns what is stored now, for the caller to merge with.
   */
  async save(projectId: string, state: TemplateMinerState, basedOn: number, now = Date.now()): Promise<SaveResult> {
    if (basedOn === 0) {
      try {
        await this.#collection.insert({ _id: projectId, projectId, revision: 1, updatedAt: now, state })
        return { ok: true, revision: 1 }
      } catch (error) {
        if (!(error instanceof MetadataError && error.code === 'duplicate')) throw error
      }
    } else {
      const updated = await this.#collection.findOneAndUpdate(
        { _id: projectId, revision: basedOn },
        { $set: { state, updatedAt: now }, $inc: { revision: 1 } },
      )
      if (updated) return { ok: true, revision: updated.revision }
    }
    const current = await this.load(projectId)
    // Deleted between the two calls: the next attempt inserts.
    return { ok: false, current: current ?? { state: { version: 1, clusters: [], aliases: {} }, revision: 0 } }
  }
}
