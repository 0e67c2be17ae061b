/**
 * Merges two saved miner states of one project (this replica's and the one another replica saved
 * meanwhile), so neither loses templates or merge aliases: the other side's templates are
 * replayed onto ours as changes (a template both hold widens to cover both; an id one side merged
 * away folds into its survivor on the other), then the union is consolidated as one miner would
 * have consolidated it. Template ids are a hash of the first template text, so replicas that saw
 * an event first as the same text already agree on its id.
 */
import { TemplateMiner, type LegacyState, type TemplateMinerOptions, type TemplateMinerState } from '@faultline/intelligence'

export function mergeMinerStates(ours: TemplateMinerState, theirs: TemplateMinerState | LegacyState, options: Partial<TemplateMinerOptions> = {}): TemplateMinerState {
  const miner = TemplateMiner.fromJSON(ours, options)
  const other = TemplateMiner.fromJSON(theirs, options).toJSON()
  miner.applyChanges({ upserted: other.clusters, removed: [], aliases: other.aliases })
  miner.settle()
  return miner.toJSON()
}
