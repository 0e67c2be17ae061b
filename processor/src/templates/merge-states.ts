/**
 * Merges two saved miner states of one project (this replica's and the one another replica saved
 * meanwhile), so neither loses templates or merge aliases.
 *
 * Template ids are a sha1 of the first masked template text, so replicas that see the same
 * pattern first as the same masked text give it the same id, and the union by id joins them.
 * Where they started a pattern from different texts ("Job nightly-export …" here, "Job weekly-
 * export …" there) they hold two templates that one miner would have joined: a template from the
 * other side is folded into the older of the pair when one covers the other, or when they are as
 * similar as the miner asks of a message joining a template; the younger id becomes an alias.
 */
import { TemplateMiner, wildcard, type TemplateMinerOptions, type TemplateMinerState } from '@faultline/intelligence'

type SavedCluster = TemplateMinerState['clusters'][number]

export function mergeMinerStates(ours: TemplateMinerState, theirs: TemplateMinerState, options: Partial<TemplateMinerOptions> = {}): TemplateMinerState {
  const aliases: Record<string, string> = { ...theirs.aliases, ...ours.aliases }
  const clusters = new Map<string, SavedCluster>(ours.clusters.map((c) => [c.id, copy(c)]))
  const arrived: string[] = []
  for (const cluster of theirs.clusters) {
    const mine = clusters.get(cluster.id)
    if (mine) combine(mine, cluster)
    else {
      clusters.set(cluster.id, copy(cluster))
      arrived.push(cluster.id)
    }
  }
  // A template one side merged away may still be live on the other: fold it into its survivor.
  for (const id of Object.keys(aliases)) {
    const live = clusters.get(id)
    if (!live) continue
    const target = clusters.get(resolve(aliases, id))
    if (target && target !== live) {
      combine(target, live)
      clusters.delete(id)
    } else {
      // The survivor was evicted on the other side: the template stays live under its own id.
      delete aliases[id]
    }
  }
  const miner = TemplateMiner.fromJSON({ version: 1, clusters: [...clusters.values()], aliases }, options)
  foldDuplicates(miner, arrived.filter((id) => clusters.has(id)))
  return miner.toJSON()
}

/** Folds each arrived template and a same-length one it is joinable with into the older of the two. */
function foldDuplicates(miner: TemplateMiner, arrived: string[]): void {
  const byLength = new Map<number, { id: string; tokens: string[]; firstSeen: number }[]>()
  for (const info of miner.templates()) {
    const list = byLength.get(info.tokenCount) ?? []
    list.push({ id: info.templateId, tokens: info.template.split(' '), firstSeen: info.firstSeen })
    byLength.set(info.tokenCount, list)
  }
  for (const id of arrived) {
    const self = miner.get(id)
    if (!self || miner.resolve(id) !== id) continue
    const tokens = self.template.split(' ')
    for (const other of byLength.get(tokens.length) ?? []) {
      if (other.id === id || miner.resolve(other.id) !== other.id) continue
      if (!joinable(tokens, other.tokens, miner.options.similarity)) continue
      // The older id survives so events stored under it keep pointing at a live template.
      const older = other.firstSeen < self.firstSeen || (other.firstSeen === self.firstSeen && other.id < id) ? other.id : id
      miner.merge(older === id ? other.id : id, older)
      if (older !== id) break
    }
  }
}

/** Whether one miner would have put both into one template (the miner's own match rule). */
function joinable(a: readonly string[], b: readonly string[], threshold: number): boolean {
  if (covers(a, b) || covers(b, a)) return true
  // Same routing: the miner only compares templates whose first tokens agree.
  if (a[0] !== b[0] && !isWildcard(a[0]!) && !isWildcard(b[0]!)) return false
  return similarity(a, b) >= threshold && similarity(b, a) >= threshold
}

/** Share of `template`'s constant tokens that `other` has in the same place. */
function similarity(template: readonly string[], other: readonly string[]): number {
  let constants = 0
  let same = 0
  for (let i = 0; i < template.length; i++) {
    if (isWildcard(template[i]!)) continue
    constants++
    if (template[i] === other[i]) same++
  }
  return constants === 0 ? 0 : same / constants
}

const isWildcard = (token: string): boolean => token === wildcard || token === `${wildcard},`

function covers(general: readonly string[], specific: readonly string[]): boolean {
  for (let i = 0; i < general.length; i++) {
    const g = general[i]!
    if (g === specific[i] || g === wildcard || (isWildcard(g) && specific[i]!.endsWith(','))) continue
    return false
  }
  return true
}

function resolve(aliases: Record<string, string>, id: string): string {
  let current = id
  for (let hops = 0; hops < 64 && aliases[current] !== undefined; hops++) current = aliases[current]!
  return current
}

function copy(cluster: SavedCluster): SavedCluster {
  return { ...cluster, tokens: [...cluster.tokens], paths: cluster.paths.map((p) => [...p]) }
}

/**
 * `into` takes `other`'s routes and time range and widens where their tokens differ. Counts
 * take the larger side: both sides usually grew from one saved count, so a sum would count
 * twice; the API counts events from ClickHouse, not from here.
 */
function combine(into: SavedCluster, other: SavedCluster): void {
  // Paths are keyed by token count, so only a template of the same length can lend its routes.
  if (into.tokens.length === other.tokens.length) {
    into.tokens = into.tokens.map((token, i) => {
      const theirs = other.tokens[i]!
      if (token === theirs) return token
      return token.endsWith(',') && theirs.endsWith(',') ? `${wildcard},` : wildcard
    })
    const known = new Set(into.paths.map((p) => p.join('\u0000')))
    for (const path of other.paths) if (!known.has(path.join('\u0000'))) into.paths.push([...path])
  }
  into.count = Math.max(into.count, other.count)
  into.firstSeen = Math.min(into.firstSeen, other.firstSeen)
  into.lastSeen = Math.max(into.lastSeen, other.lastSeen)
}
