/** The miner's saved shapes: its state, its change records, and what callers read of a template. */
import { tokenize } from './tokenize'

export interface TemplateInfo {
  templateId: string
  template: string
  tokenCount: number
  count: number
  firstSeen: number
  lastSeen: number
}

export interface SavedTemplate {
  id: string
  tokens: string[]
  count: number
  firstSeen: number
  lastSeen: number
  /** Made a catch-all by the cap's merge policy: its wildcards accept constants too. */
  wide?: boolean
}

export interface TemplateMinerState {
  version: 2
  clusters: SavedTemplate[]
  aliases: Record<string, string>
}

/** What changed in a miner's structure since the last `takeChanges()`: a write-ahead record. */
export interface TemplateChanges {
  upserted: SavedTemplate[]
  removed: string[]
  aliases: Record<string, string>
}

/** State written by the Drain-style miner before templates were re-tokenized (version 1). */
export interface LegacyState {
  version: 1
  clusters: Array<{ id: string; tokens: string[]; count: number; firstSeen: number; lastSeen: number }>
  aliases: Record<string, string>
}

export function upgrade(version: number, cluster: SavedTemplate): SavedTemplate {
  if (version !== 1) return cluster
  return { ...cluster, tokens: tokenize(cluster.tokens.join(' ')).tokens }
}

export function saved(template: SavedTemplate): SavedTemplate {
  const out: SavedTemplate = { id: template.id, tokens: [...template.tokens], count: template.count, firstSeen: template.firstSeen, lastSeen: template.lastSeen }
  if (template.wide) out.wide = true
  return out
}

export function info(template: SavedTemplate): TemplateInfo {
  return {
    templateId: template.id,
    template: template.tokens.join(' '),
    tokenCount: template.tokens.length,
    count: template.count,
    firstSeen: template.firstSeen,
    lastSeen: template.lastSeen,
  }
}
