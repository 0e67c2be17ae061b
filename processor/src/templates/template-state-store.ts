/**
 * Miner state per project in the metadata store (see stored-state.ts in @faultline/intelligence),
 * within the project's organization: the snapshot, written with a revision check so two replicas
 * can never overwrite each other's templates unseen (the loser merges and tries again), and the
 * write-ahead journal.
 */
import { randomUUID } from 'node:crypto'
import { FaultlineError, MetadataError } from '@faultline/core/errors'
import type { MetadataStore } from '@faultline/core/ports'
import { TenantCollection } from '@faultline/core/tenancy'
import {
  templateJournalCollection,
  templateMinersCollection,
  type LegacyState,
  type TemplateChanges,
  type TemplateJournalDoc,
  type TemplateMinerDoc,
  type TemplateMinerState,
} from '@faultline/intelligence'

export type TemplatePersistenceErrorCode = 'load_failed' | 'save_conflict' | 'journal_failed'
export class TemplatePersistenceError extends FaultlineError<TemplatePersistenceErrorCode> {}

export interface StoredState {
  state: TemplateMinerState | LegacyState
  revision: number
}

export type SaveResult = { ok: true; revision: number } | { ok: false; current: StoredState }

export class TemplateStateStore {
  readonly #snapshots: TenantCollection<TemplateMinerDoc>
  readonly #journal: TenantCollection<TemplateJournalDoc>

  private constructor(snapshots: TenantCollection<TemplateMinerDoc>, journal: TenantCollection<TemplateJournalDoc>) {
    this.#snapshots = snapshots
    this.#journal = journal
  }

  static async open(metadata: MetadataStore): Promise<TemplateStateStore> {
    const [snapshots, journal] = await Promise.all([
      TenantCollection.open<TemplateMinerDoc>(metadata, templateMinersCollection),
      TenantCollection.open<TemplateJournalDoc>(metadata, templateJournalCollection),
    ])
    return new TemplateStateStore(snapshots, journal)
  }

  async load(orgId: string, projectId: string): Promise<StoredState | undefined> {
    const doc = await this.#snapshots.get(orgId, projectId)
    return doc ? { state: doc.state, revision: doc.revision } : undefined
  }

  /**
   * Writes `state` when the stored revision is still `basedOn` (0: nothing stored yet). On a
   * conflict returns what is stored now, for the caller to merge with.
   */
  async save(orgId: string, projectId: string, state: TemplateMinerState, basedOn: number, now = Date.now()): Promise<SaveResult> {
    if (basedOn === 0) {
      try {
        await this.#snapshots.insert(orgId, { _id: projectId, projectId, revision: 1, updatedAt: now, state })
        return { ok: true, revision: 1 }
      } catch (error) {
        if (!(error instanceof MetadataError && error.code === 'duplicate')) throw error
      }
    } else {
      const updated = await this.#snapshots.findOneAndUpdate(
        orgId,
        { _id: projectId, revision: basedOn },
        { $set: { state, updatedAt: now }, $inc: { revision: 1 } },
      )
      if (updated) return { ok: true, revision: updated.revision }
    }
    const current = await this.load(orgId, projectId)
    // Deleted between the two calls: the next attempt inserts.
    return { ok: false, current: current ?? { state: { version: 2, clusters: [], aliases: {} }, revision: 0 } }
  }

  /** Records changes made after the snapshot; returns the entry's id. */
  async append(orgId: string, projectId: string, changes: TemplateChanges, now = Date.now()): Promise<string> {
    const _id = randomUUID()
    await this.#journal.insert(orgId, { _id, projectId, at: now, changes })
    return _id
  }

  /** The journal entries of a project, oldest first. */
  journal(orgId: string, projectId: string): Promise<TemplateJournalDoc[]> {
    return this.#journal.find(orgId, { projectId }, { sort: { field: 'at', direction: 'asc' } })
  }

  /** Drops entries a saved snapshot now holds. */
  async forget(orgId: string, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.#journal.deleteMany(orgId, { _id: { $in: [...ids] } })
  }
}
