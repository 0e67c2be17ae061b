import { createHash } from 'node:crypto'
import { parameterize } from '../parameterize'
import { generalizeToken, isWildcard, routingKey, templateRegex, tokenizeMasked, wildcard } from './preprocess'

export interface TemplateMinerOptions {
  /** Tree depth as in Drain: the first `depth - 2` tokens route a message to its leaf. */
  depth: number
  /** Share of equal constant tokens a message needs to join a template (0..1). */
  similarity: number
  /** Children per tree node before new tokens go to the wildcard branch. */
  maxChildren: number
  /** Live templates per miner; the least recently seen one is dropped beyond this. */
  maxTemplates: number
  /** Masks variables before tokenizing; defaults to the grouping parameterizer. */
  mask: (text: string) => string
  /** Recover variable values per message (costs a regex match). */
  extractVariables: boolean
  /** Longer messages are cut before mining so one huge payload cannot stall the miner. */
  maxMessageLength: number
}

export const defaultMinerOptions: TemplateMinerOptions = {
  depth: 4,
  similarity: 0.5,
  maxChildren: 100,
  maxTemplates: 20_000,
  mask: parameterize,
  extractVariables: true,
  maxMessageLength: 4096,
}

export interface TemplateMatch {
  templateId: string
  template: string
  variables: string[]
  /** `created`: new template; `updated`: the template generalized; `none`: matched as is. */
  change: 'created' | 'updated' | 'none'
  /** Ids merged into `templateId` by this message (their old ids now resolve to it). */
  mergedIds: string[]
}

export interface TemplateInfo {
  templateId: string
  template: string
  tokenCount: number
  count: number
  firstSeen: number
  lastSeen: number
}

export interface TemplateMinerState {
  version: 1
  clusters: Array<{ id: string; tokens: string[]; paths: string[][]; count: number; firstSeen: number; lastSeen: number }>
  aliases: Record<string, string>
}

interface Cluster {
  id: string
  tokens: string[]
  /** Every tree path that leads here: the first message's, plus those found by the fallback scan. */
  paths: string[][]
  leaves: Cluster[][]
  count: number
  firstSeen: number
  lastSeen: number
  regex: RegExp | undefined
}

interface TreeNode {
  children: Map<string, TreeNode>
  clusters: Cluster[]
}

const newNode = (): TreeNode => ({ children: new Map(), clusters: [] })

function templateHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16)
}

/**
 * A streaming Drain-style miner: messages are routed by token count and leading tokens to a
 * small set of candidate templates, join the most similar one above a threshold, and generalize
 * it by turning differing positions into `<*>`. Ids are a hash of the first template text so
 * replicas mining the same messages agree without coordination.
 */
export class TemplateMiner {
  readonly options: TemplateMinerOptions
  readonly #root = new Map<number, TreeNode>()
  readonly #clusters = new Map<string, Cluster>()
  readonly #aliases = new Map<string, string>()
  readonly #byLength = new Map<number, Set<Cluster>>()
  readonly #prefixDepth: number

  constructor(options: Partial<TemplateMinerOptions> = {}) {
    this.options = { ...defaultMinerOptions, ...options }
    this.#prefixDepth = Math.max(1, this.options.depth - 2)
  }

  get size(): number {
    return this.#clusters.size
  }

  /** Mines one message and returns its template; `now` is the event time in ms. */
  add(message: string, now: number = Date.now()): TemplateMatch {
    const text = message.length > this.options.maxMessageLength ? message.slice(0, this.options.maxMessageLength) : message
    const tokens = tokenizeMasked(this.options.mask(text))
    const { node: leaf, path } = this.#route(tokens)
    let found = this.#bestMatch(leaf.clusters, tokens)
    if (!found) {
      // A value in a routing position ("Job nightly-export finished …") sends each variant to
      // its own leaf; scan the length bucket once and link the leaf to the template found.
      found = this.#bestMatch(this.#fallbackCandidates(tokens), tokens)
      if (found) {
        found.paths.push(path)
        found.leaves.push(leaf.clusters)
        leaf.clusters.push(found)
      }
    }
    if (!found) {
      const cluster = this.#create(tokens, leaf, path, now)
      return this.#result(cluster, text, 'created', [])
    }
    found.count++
    found.lastSeen = Math.max(found.lastSeen, now)
    found.firstSeen = Math.min(found.firstSeen, now)
    const generalized = this.#generalize(found, tokens)
    const merged = generalized ? this.#mergeSubsumed(found) : []
    return this.#result(this.#clusters.get(this.resolve(found.id)) ?? found, text, generalized ? 'updated' : 'none', merged)
  }

  /** Finds the template a message belongs to without learning from it. */
  match(message: string): TemplateMatch | undefined {
    const text = message.length > this.options.maxMessageLength ? message.slice(0, this.options.maxMessageLength) : message
    const tokens = tokenizeMasked(this.options.mask(text))
    const leaf = this.#find(tokens)
    const found = (leaf ? this.#bestMatch(leaf.clusters, tokens) : undefined) ?? this.#bestMatch(this.#fallbackCandidates(tokens), tokens)
    return found ? this.#result(found, text, 'none', []) : undefined
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
    const cluster = this.#clusters.get(this.resolve(templateId))
    return cluster ? info(cluster) : undefined
  }

  templates(): TemplateInfo[] {
    return [...this.#clusters.values()].map(info)
  }

  /** Old id → live id for every merge so far. */
  aliases(): Record<string, string> {
    return Object.fromEntries([...this.#aliases.keys()].map((id) => [id, this.resolve(id)]))
  }

  toJSON(): TemplateMinerState {
    return {
      version: 1,
      clusters: [...this.#clusters.values()].map((c) => ({
        id: c.id, tokens: [...c.tokens], paths: c.paths.map((p) => [...p]), count: c.count, firstSeen: c.firstSeen, lastSeen: c.lastSeen,
      })),
      aliases: Object.fromEntries(this.#aliases),
    }
  }

  static fromJSON(state: TemplateMinerState, options: Partial<TemplateMinerOptions> = {}): TemplateMiner {
    const miner = new TemplateMiner(options)
    for (const saved of state.clusters) {
      const cluster: Cluster = {
        id: saved.id, tokens: [...saved.tokens], paths: [], leaves: [], count: saved.count,
        firstSeen: saved.firstSeen, lastSeen: saved.lastSeen, regex: undefined,
      }
      for (const path of saved.paths) {
        const leaf = miner.#leafAt(saved.tokens.length, path)
        leaf.clusters.push(cluster)
        cluster.paths.push([...path])
        cluster.leaves.push(leaf.clusters)
      }
      miner.#clusters.set(cluster.id, cluster)
      miner.#bucket(cluster.tokens.length).add(cluster)
    }
    for (const [from, to] of Object.entries(state.aliases)) miner.#aliases.set(from, to)
    return miner
  }

  #result(cluster: Cluster, text: string, change: TemplateMatch['change'], mergedIds: string[]): TemplateMatch {
    const template = cluster.tokens.join(' ')
    let variables: string[] = []
    if (this.options.extractVariables && template.includes('<')) {
      cluster.regex ??= templateRegex(cluster.tokens)
      const found = cluster.regex.exec(text)
      if (found) variables = found.slice(1) as string[]
    }
    return { templateId: cluster.id, template, variables, change, mergedIds }
  }

  #bucket(length: number): Set<Cluster> {
    let bucket = this.#byLength.get(length)
    if (!bucket) {
      bucket = new Set()
      this.#byLength.set(length, bucket)
    }
    return bucket
  }

  /** Walks (and grows) the tree; returns the leaf and the keys taken so a restore can replay them. */
  #route(tokens: string[]): { node: TreeNode; path: string[] } {
    let node: TreeNode = this.#root.get(tokens.length) ?? newNode()
    this.#root.set(tokens.length, node)
    const path: string[] = []
    const depth = Math.min(this.#prefixDepth, tokens.length)
    for (let i = 0; i < depth; i++) {
      let key = routingKey(tokens[i]!)
      let child: TreeNode | undefined = node.children.get(key)
      if (!child) {
        if (node.children.size >= this.options.maxChildren) key = wildcard
        child = node.children.get(key)
        if (!child) {
          child = newNode()
          node.children.set(key, child)
        }
      }
      path.push(key)
      node = child
    }
    return { node, path }
  }

  #find(tokens: string[]): TreeNode | undefined {
    let node = this.#root.get(tokens.length)
    const depth = Math.min(this.#prefixDepth, tokens.length)
    for (let i = 0; i < depth && node; i++) node = node.children.get(routingKey(tokens[i]!)) ?? node.children.get(wildcard)
    return node
  }

  /** Same-length templates whose first token agrees with the message's (or is a wildcard). */
  #fallbackCandidates(tokens: string[]): Cluster[] {
    const bucket = this.#byLength.get(tokens.length)
    if (!bucket) return []
    const first = tokens[0]!
    if (isWildcard(first)) return [...bucket]
    const out: Cluster[] = []
    for (const cluster of bucket) {
      const head = cluster.tokens[0]!
      if (head === first || isWildcard(head)) out.push(cluster)
    }
    return out
  }

  #leafAt(length: number, path: readonly string[]): TreeNode {
    let node: TreeNode = this.#root.get(length) ?? newNode()
    this.#root.set(length, node)
    for (const key of path) {
      let child: TreeNode | undefined = node.children.get(key)
      if (!child) {
        child = newNode()
        node.children.set(key, child)
      }
      node = child
    }
    return node
  }

  #bestMatch(clusters: Cluster[], tokens: string[]): Cluster | undefined {
    let best: Cluster | undefined
    let bestSimilarity = -1
    let bestWildcards = -1
    for (const cluster of clusters) {
      let same = 0
      let wildcards = 0
      const template = cluster.tokens
      for (let i = 0; i < template.length; i++) {
        const t = template[i]!
        if (isWildcard(t)) wildcards++
        else if (t === tokens[i]) same++
      }
      // Positions already generalized say nothing about this message: score the constants only.
      const similarity = wildcards === template.length ? 0 : same / (template.length - wildcards)
      if (similarity > bestSimilarity || (similarity === bestSimilarity && wildcards > bestWildcards)) {
        best = cluster
        bestSimilarity = similarity
        bestWildcards = wildcards
      }
    }
    if (best && bestSimilarity >= this.options.similarity) return best
    return undefined
  }

  #create(tokens: string[], leaf: TreeNode, path: string[], now: number): Cluster {
    const template = tokens.join(' ')
    let id = templateHash(`${tokens.length}:${template}`)
    for (let n = 1; this.#clusters.has(id) || this.#aliases.has(id); n++) id = templateHash(`${tokens.length}:${template}#${n}`)
    const cluster: Cluster = {
      id, tokens: [...tokens], paths: [path], leaves: [leaf.clusters], count: 1, firstSeen: now, lastSeen: now, regex: undefined,
    }
    leaf.clusters.push(cluster)
    this.#clusters.set(id, cluster)
    this.#bucket(tokens.length).add(cluster)
    if (this.#clusters.size > this.options.maxTemplates) this.#evictOldest(id)
    return cluster
  }

  #generalize(cluster: Cluster, tokens: string[]): boolean {
    let changed = false
    const template = cluster.tokens
    for (let i = 0; i < template.length; i++) {
      const current = template[i]!
      if (current === tokens[i]) continue
      const next = current === wildcard ? wildcard : generalizeToken(current, tokens[i]!)
      if (next !== current) {
        template[i] = next
        changed = true
      }
    }
    if (changed) cluster.regex = undefined
    return changed
  }

  /**
   * Folds one template into another (an operator merging two patterns). Both must have the same
   * token count; the target widens to cover the source, and the source id resolves to it.
   */
  merge(sourceId: string, targetId: string): boolean {
    const source = this.#clusters.get(this.resolve(sourceId))
    const target = this.#clusters.get(this.resolve(targetId))
    if (!source || !target || source === target || source.tokens.length !== target.tokens.length) return false
    this.#generalize(target, source.tokens)
    this.#fold(target, [source])
    return true
  }

  /** After `general` widened, fold every leaf sibling it now covers into one template. */
  #mergeSubsumed(general: Cluster): string[] {
    // Same-length templates anywhere in the bucket: a template reached through the fallback
    // scan can come to cover one that lives under another prefix.
    const siblings = new Set([...general.leaves.flat(), ...this.#fallbackCandidates(general.tokens)])
    const covered = [...siblings].filter((other) => other !== general && subsumes(general.tokens, other.tokens))
    if (covered.length === 0) return []
    // The oldest id survives so links stored earlier keep pointing at a live template.
    const group = [general, ...covered]
    const keep = group.reduce((a, b) => (b.firstSeen < a.firstSeen ? b : a))
    keep.tokens = [...general.tokens]
    keep.regex = undefined
    return this.#fold(keep, group.filter((cluster) => cluster !== keep))
  }

  #fold(keep: Cluster, drops: Cluster[]): string[] {
    const merged: string[] = []
    for (const drop of drops) {
      keep.count += drop.count
      keep.firstSeen = Math.min(keep.firstSeen, drop.firstSeen)
      keep.lastSeen = Math.max(keep.lastSeen, drop.lastSeen)
      // Messages routed along the dropped template's paths must now land on the survivor.
      drop.leaves.forEach((leaf, index) => {
        if (leaf.includes(keep)) return
        leaf.push(keep)
        keep.leaves.push(leaf)
        keep.paths.push(drop.paths[index]!)
      })
      this.#remove(drop)
      this.#aliases.set(drop.id, keep.id)
      merged.push(drop.id)
    }
    return merged
  }

  #remove(cluster: Cluster): void {
    for (const leaf of cluster.leaves) {
      const index = leaf.indexOf(cluster)
      if (index >= 0) leaf.splice(index, 1)
    }
    this.#clusters.delete(cluster.id)
    this.#byLength.get(cluster.tokens.length)?.delete(cluster)
  }

  #evictOldest(keepId: string): void {
    let oldest: Cluster | undefined
    for (const cluster of this.#clusters.values()) {
      if (cluster.id !== keepId && (!oldest || cluster.lastSeen < oldest.lastSeen)) oldest = cluster
    }
    if (oldest) this.#remove(oldest)
  }
}

function subsumes(general: readonly string[], specific: readonly string[]): boolean {
  if (general.length !== specific.length) return false
  for (let i = 0; i < general.length; i++) {
    const g = general[i]!
    if (g !== specific[i] && g !== wildcard && !(g.endsWith(',') && isWildcard(g) && specific[i]!.endsWith(','))) return false
  }
  return true
}

function info(cluster: Cluster): TemplateInfo {
  return {
    templateId: cluster.id,
    template: cluster.tokens.join(' '),
    tokenCount: cluster.tokens.length,
    count: cluster.count,
    firstSeen: cluster.firstSeen,
    lastSeen: cluster.lastSeen,
  }
}
