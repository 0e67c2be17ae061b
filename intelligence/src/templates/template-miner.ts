import { createHash } from 'node:crypto'
import { parameterize } from '../parameterize'
import { generalize, mergeGroups, type MergeGroup } from './consolidate'
import { cappedGroups, explodedGroups } from './merge-policy'
import { TemplateIndex } from './template-index'
import { readMessage, variablesOf } from './message-tokens'
import { info, saved, upgrade, type LegacyState, type SavedTemplate, type TemplateChanges, type TemplateInfo, type TemplateMinerState } from './miner-state'
import { isBareVariable, isVariable, type Tokenized } from './tokenize'

export interface TemplateMinerOptions {
  /**
   * Different constants one position may hold among templates with the same anchor before it
   * is read as a variable (see consolidate.ts). The one setting for every source.
   */
  maxConstants: number
  /** Live templates per miner; beyond, the least recently seen tenth is dropped. */
  maxTemplates: number
  /** Live templates of one token count; beyond, the bucket is coarsened (merge-policy.ts). */
  maxTemplatesPerLength: number
  /** Merge aliases kept; the oldest are forgotten beyond (their events keep their own text). */
  maxAliases: number
  /** Masks variables before tokenizing; defaults to the grouping parameterizer. */
  mask: (text: string) => string
  /** Recover variable values per message. */
  extractVariables: boolean
  /** Longer messages are cut before mining so one huge payload cannot stall the miner. */
  maxMessageLength: number
}

export const defaultMinerOptions: TemplateMinerOptions = {
  maxConstants: 3,
  maxTemplates: 20_000,
  maxTemplatesPerLength: 2_000,
  maxAliases: 100_000,
  mask: parameterize,
  extractVariables: true,
  maxMessageLength: 4096,
}

export type { LegacyState, SavedTemplate, TemplateChanges, TemplateInfo, TemplateMinerState } from './miner-state'

export interface TemplateMatch {
  templateId: string
  template: string
  variables: string[]
  /** `created`: new template; `updated`: its template generalized or merged; `none`: matched as is. */
  change: 'created' | 'updated' | 'none'
  /** Ids merged away while mining this message (they now resolve to a live template). */
  mergedIds: string[]
}

interface Template extends SavedTemplate {
  /** Templates created in this template's token count since it was last consolidated. */
  bucket: Bucket
}

interface Bucket {
  templates: Set<Template>
  created: number
}

function templateHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16)
}

/**
 * A streaming template miner. A message is masked and tokenized (tokenize.ts), then looked up in
 * a trie of templates (template-index.ts): the most specific template whose every token accepts
 * the message's token is its template. A message no template accepts starts its own, with its
 * constants as they are. New templates of one token count are periodically consolidated
 * (consolidate.ts): templates found to be one event are merged into the oldest, which widens to
 * cover them, and the others' ids become aliases of it. So the miner errs towards keeping
 * events apart until the counts show a position varies, and merges never split an event.
 *
 * Ids are a hash of the first template text and every decision follows from the message order,
 * so replicas mining the same messages agree without coordination.
 */
export class TemplateMiner {
  readonly options: TemplateMinerOptions
  readonly #index = new TemplateIndex<Template>({ accepts: acceptsMessage })
  readonly #templates = new Map<string, Template>()
  readonly #aliases = new Map<string, string>()
  readonly #buckets = new Map<number, Bucket>()
  readonly #upserted = new Set<Template>()
  readonly #removed = new Set<string>()
  readonly #newAliases = new Map<string, string>()

  constructor(options: Partial<TemplateMinerOptions> = {}) {
    this.options = { ...defaultMinerOptions, ...options }
  }

  get size(): number {
    return this.#templates.size
  }

  /** Mines one message and returns its template; `now` is the event time in ms. */
  add(message: string, now: number = Date.now()): TemplateMatch {
    const { tokens, originals } = this.#prepare(message)
    let template = this.#index.find(tokens)
    let change: TemplateMatch['change'] = 'none'
    if (!template) {
      template = this.#create(tokens, now)
      change = 'created'
    }
    template.count++
    template.lastSeen = Math.max(template.lastSeen, now)
    template.firstSeen = Math.min(template.firstSeen, now)
    const tokensBefore = template.tokens
    const mergedIds = this.#maintain(template.bucket)
    const live = this.#templates.get(this.resolve(template.id)) ?? template
    if (change === 'none' && (live !== template || live.tokens !== tokensBefore)) change = 'updated'
    return this.#result(live, originals, change, mergedIds)
  }

  /** Finds the template a message belongs to without learning from it. */
  match(message: string): TemplateMatch | undefined {
    const { tokens, originals } = this.#prepare(message)
    const found = this.#index.find(tokens)
    return found ? this.#result(found, originals, 'none', []) : undefined
  }

  /** The live id an old (merged) id now maps to; unknown ids map to themselves. */
  resolve(templateId: string): string {
    let id = templateId
    for (let hops = 0; hops < 64; hops++) {
      const next = this.#aliases.get(id)
      if (next === undefined) return id
      id = next
    }
    return id
  }

  get(templateId: string): TemplateInfo | undefined {
    const template = this.#templates.get(this.resolve(templateId))
    return template ? info(template) : undefined
  }

  templates(): TemplateInfo[] {
    return [...this.#templates.values()].map(info)
  }

  /** Old id → live id for every merge remembered. */
  aliases(): Record<string, string> {
    return Object.fromEntries([...this.#aliases.keys()].map((id) => [id, this.resolve(id)]))
  }

  /** Consolidates every token count with templates created since its last consolidation. */
  settle(): string[] {
    const merged: string[] = []
    for (const bucket of [...this.#buckets.values()]) if (bucket.created > 0) merged.push(...this.#consolidate(bucket))
    return merged
  }

  /**
   * Folds one template into another (an operator merging two patterns). Both must have the same
   * token count; the target widens to cover the source, and the source id resolves to it.
   */
  merge(sourceId: string, targetId: string): boolean {
    const source = this.#templates.get(this.resolve(sourceId))
    const target = this.#templates.get(this.resolve(targetId))
    if (!source || !target || source === target || source.tokens.length !== target.tokens.length) return false
    this.#fold(target, [source], generalize(target.tokens, source.tokens))
    return true
  }

  toJSON(): TemplateMinerState {
    return { version: 2, clusters: [...this.#templates.values()].map(saved), aliases: Object.fromEntries(this.#aliases) }
  }

  static fromJSON(state: TemplateMinerState | LegacyState, options: Partial<TemplateMinerOptions> = {}): TemplateMiner {
    const miner = new TemplateMiner(options)
    miner.applyChanges({ upserted: state.clusters.map((c) => upgrade(state.version, c)), removed: [], aliases: state.aliases })
    miner.takeChanges()
    return miner
  }

  /** Structural changes since the last call (templates created, widened or dropped; merges). */
  takeChanges(): TemplateChanges {
    const changes: TemplateChanges = {
      upserted: [...this.#upserted].filter((t) => this.#templates.get(t.id) === t).map(saved),
      removed: [...this.#removed],
      aliases: Object.fromEntries(this.#newAliases),
    }
    this.#upserted.clear()
    this.#removed.clear()
    this.#newAliases.clear()
    return changes
  }

  /** Replays changes (a write-ahead record, or a restored state) onto this miner. */
  applyChanges(changes: TemplateChanges): void {
    for (const saved of changes.upserted) {
      const current = this.#templates.get(saved.id)
      if (current) this.#remove(current)
      const template: Template = { ...saved, tokens: [...saved.tokens], bucket: this.#bucket(saved.tokens.length) }
      if (current) {
        // The same template on two sides (or before and after): it covers what both covered.
        if (current.tokens.length === saved.tokens.length) template.tokens = generalize(current.tokens, saved.tokens)
        template.count = Math.max(template.count, current.count)
        template.firstSeen = Math.min(template.firstSeen, current.firstSeen)
        template.lastSeen = Math.max(template.lastSeen, current.lastSeen)
        template.wide ||= current.wide
      }
      this.#add(template)
    }
    for (const id of changes.removed) {
      const template = this.#templates.get(id)
      if (template) this.#remove(template)
    }
    for (const [from, to] of Object.entries(changes.aliases)) {
      const live = this.#templates.get(from)
      const target = this.#templates.get(this.resolve(to))
      if (live && target && live !== target && live.tokens.length === target.tokens.length) this.#fold(target, [live], generalize(target.tokens, live.tokens))
      else if (!live) this.#alias(from, to)
    }
  }

  #prepare(message: string): Tokenized {
    const { mask, maxMessageLength, extractVariables } = this.options
    return readMessage(message, { mask, maxMessageLength, originals: extractVariables })
  }

  #result(template: Template, originals: string[], change: TemplateMatch['change'], mergedIds: string[]): TemplateMatch {
    const variables = this.options.extractVariables ? variablesOf(template.tokens, originals) : []
    return { templateId: template.id, template: template.tokens.join(' '), variables, change, mergedIds }
  }

  #bucket(length: number): Bucket {
    let bucket = this.#buckets.get(length)
    if (!bucket) {
      bucket = { templates: new Set(), created: 0 }
      this.#buckets.set(length, bucket)
    }
    return bucket
  }

  #create(tokens: string[], now: number): Template {
    const text = tokens.join(' ')
    let id = templateHash(`${tokens.length}:${text}`)
    for (let n = 1; this.#templates.has(id) || this.#aliases.has(id); n++) id = templateHash(`${tokens.length}:${text}#${n}`)
    const template: Template = { id, tokens, count: 0, firstSeen: now, lastSeen: now, bucket: this.#bucket(tokens.length) }
    this.#add(template)
    template.bucket.created++
    return template
  }

  #add(template: Template): void {
    // The token count may have changed (a restore of older tokens): file it where it is now.
    template.bucket = this.#bucket(template.tokens.length)
    const holder = this.#index.insert(template)
    this.#templates.set(template.id, template)
    template.bucket.templates.add(template)
    this.#upserted.add(template)
    // Two templates with equal tokens (a restore, a replayed change): one event, the older id.
    if (holder) {
      const [keep, drop] = holder.firstSeen <= template.firstSeen ? [holder, template] : [template, holder]
      if (keep === template) {
        this.#index.remove(holder)
        this.#index.insert(template)
      }
      this.#fold(keep, [drop], keep.tokens)
    }
  }

  #remove(template: Template): void {
    this.#index.remove(template)
    this.#templates.delete(template.id)
    template.bucket.templates.delete(template)
    this.#upserted.delete(template)
  }

  /** Consolidation when enough templates arrived, then the caps. Returns ids merged away. */
  #maintain(bucket: Bucket): string[] {
    const merged: string[] = []
    // Amortized: a token count is consolidated after its templates grew by an eighth.
    if (bucket.created > 0 && bucket.created >= bucket.templates.size >> 3) merged.push(...this.#consolidate(bucket))
    if (bucket.templates.size > this.options.maxTemplatesPerLength) {
      merged.push(...this.#foldGroups(cappedGroups([...bucket.templates], this.options.maxTemplatesPerLength >> 1), true))
    }
    if (this.#templates.size > this.options.maxTemplates) this.#evict()
    return merged
  }

  #consolidate(bucket: Bucket): string[] {
    bucket.created = 0
    const merged = this.#foldGroups(mergeGroups([...bucket.templates], this.options.maxConstants), false)
    merged.push(...this.#foldGroups(explodedGroups([...bucket.templates]), true))
    return merged
  }

  /** Folds each group into its oldest member, which takes the group's template. */
  #foldGroups(groups: MergeGroup<Template>[], wide: boolean): string[] {
    const merged: string[] = []
    for (const group of groups) {
      const keep = group.members.reduce((a, b) => (b.firstSeen < a.firstSeen || (b.firstSeen === a.firstSeen && b.id < a.id) ? b : a))
      if (wide) keep.wide = true
      merged.push(...this.#fold(keep, group.members.filter((t) => t !== keep), group.tokens))
    }
    return merged
  }

  /** Drops the least recently seen tenth of the templates (their ids stay in stored events). */
  #evict(): void {
    const byAge = [...this.#templates.values()].sort((a, b) => a.lastSeen - b.lastSeen)
    for (const template of byAge.slice(0, Math.max(1, Math.floor(byAge.length / 10)))) {
      this.#remove(template)
      this.#removed.add(template.id)
    }
  }

  /** `keep` takes `tokens` and the drops' counts; the drops' ids become aliases of it. */
  #fold(keep: Template, drops: Template[], tokens: string[]): string[] {
    const merged: string[] = []
    for (const drop of drops) {
      keep.count += drop.count
      keep.firstSeen = Math.min(keep.firstSeen, drop.firstSeen)
      keep.lastSeen = Math.max(keep.lastSeen, drop.lastSeen)
      keep.wide ||= drop.wide
      this.#remove(drop)
      this.#alias(drop.id, keep.id)
      merged.push(drop.id)
    }
    if (tokens.join('\u0000') !== keep.tokens.join('\u0000')) {
      this.#remove(keep)
      keep.tokens = tokens
      this.#add(keep)
    } else this.#upserted.add(keep)
    return merged
  }

  #alias(from: string, to: string): void {
    this.#aliases.set(from, to)
    this.#newAliases.set(from, to)
    if (this.#aliases.size > this.options.maxAliases) {
      // Insertion order is merge order: the oldest links go first, so no chain breaks in the middle.
      const excess = this.#aliases.size - this.options.maxAliases
      let n = 0
      for (const key of this.#aliases.keys()) {
        if (n++ >= excess) break
        this.#aliases.delete(key)
      }
    }
  }
}

/**
 * A template of bare wildcards only came from a message that was all values ("0x1f", "42 17"):
 * it stands for messages of values only, not for every message of its length. Only a catch-all
 * made by the cap's merge policy accepts words where it has nothing but wildcards.
 */
function acceptsMessage(template: Template, tokens: readonly string[]): boolean {
  if (template.wide) return true
  for (const token of template.tokens) if (!isBareVariable(token)) return true
  for (let i = 0; i < tokens.length; i++) if (!isVariable(tokens[i]!)) return false
  return true
}

