/**
 * How a project's miner is kept in the metadata store, for the processor that writes it and the
 * API that reads it: a snapshot per project (`template_miners`, written with a revision check)
 * and a write-ahead journal of the structural changes made since (`template_journal`), written
 * before the events mined with them are acknowledged. Snapshot plus journal is the miner as the
 * processor last held it, so a crash loses no template or merge.
 */
import type { CollectionSpec } from '@faultline/core/ports'
import { TemplateMiner, type LegacyState, type TemplateChanges, type TemplateMinerOptions, type TemplateMinerState } from './template-miner'

export interface TemplateMinerDoc {
  /** The project id. */
  _id: string
  /** The project's organization: the documents are reached through it (TenantCollection). */
  orgId: string
  projectId: string
  /** Starts at 1 and grows by one with every save. */
  revision: number
  updatedAt: number
  state: TemplateMinerState | LegacyState
}

export interface TemplateJournalDoc {
  _id: string
  orgId: string
  projectId: string
  /** When the writer recorded it (ms): replay order. */
  at: number
  changes: TemplateChanges
}

export const templateMinersCollection: CollectionSpec = { name: 'template_miners', indexes: [] }
export const templateJournalCollection: CollectionSpec = { name: 'template_journal', indexes: ['projectId', 'at'] }

/** The miner a snapshot and the journal entries written after it describe. */
export function replayJournal(state: TemplateMinerState | LegacyState | undefined, entries: readonly TemplateJournalDoc[], options: Partial<TemplateMinerOptions> = {}): TemplateMiner {
  const miner = state ? TemplateMiner.fromJSON(state, options) : new TemplateMiner(options)
  for (const entry of [...entries].sort((a, b) => a.at - b.at)) miner.applyChanges(entry.changes)
  miner.takeChanges()
  return miner
}

/** Folds `next` into `pending` in order: a later upsert or removal of one id wins. */
export function combineChanges(pending: TemplateChanges, next: TemplateChanges): TemplateChanges {
  const upserted = new Map(pending.upserted.map((t) => [t.id, t]))
  const removed = new Set(pending.removed)
  for (const t of next.upserted) {
    upserted.set(t.id, t)
    removed.delete(t.id)
  }
  for (const id of next.removed) {
    removed.add(id)
    upserted.delete(id)
  }
  return { upserted: [...upserted.values()], removed: [...removed], aliases: { ...pending.aliases, ...next.aliases } }
}

export function isEmptyChanges(changes: TemplateChanges): boolean {
  return changes.upserted.length === 0 && changes.removed.length === 0 && Object.keys(changes.aliases).length === 0
}
