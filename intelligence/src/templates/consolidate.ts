/**
 * Which templates of one token count are one event: Brain's frequency rule (Yu et al., ICDE 2023)
 * applied to the miner's templates, weighted by how many messages each holds.
 *
 * Every (position, token) pair is counted over the messages of the templates. The constant
 * tokens of one event occur in exactly that event's messages, so they share one count; a
 * message's most common count (ties: the higher one) is its event's count, and its tokens with at
 * least that count (the event's own constants, and constants it shares with other events) are
 * its anchor. Templates with the same anchor are candidates; a position outside the anchor is a
 * variable when the candidates hold more than `maxConstants` different tokens there (or a
 * variable already), and a constant that tells events apart otherwise: "initialized by client
 * SPP" and "… WindowsUpdateAgent" stay two events, user names at one position become `<*>`.
 */
import { tokenMatches } from './template-index'
import { isBareVariable, isQualifiedName, wildcard } from './tokenize'

export interface Candidate {
  tokens: string[]
  count: number
}

export interface MergeGroup<T extends Candidate> {
  members: T[]
  /** The template covering every member. */
  tokens: string[]
}

/** The most specific token covering both: shared key and punctuation kept (`user=<*>`). */
export function generalizeToken(a: string, b: string): string {
  if (a === b) return a
  if (tokenMatches(a, b)) return a
  if (tokenMatches(b, a)) return b
  let prefix = 0
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix] && isKeyOrLead(a[prefix]!)) prefix++
  // Keep only a whole key or bracket: `uid=` of `uid=1` and `uid=2`, not `ad` of `admin`/`adam`.
  while (prefix > 0 && !'=:([{"\''.includes(a[prefix - 1]!)) prefix--
  let suffix = 0
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix] && isTrail(a[a.length - 1 - suffix]!)) suffix++
  return `${a.slice(0, prefix)}${wildcard}${suffix > 0 ? a.slice(a.length - suffix) : ''}`
}

const isTrail = (c: string): boolean => ')]}"\',;:.!?'.includes(c)
const isKeyOrLead = (c: string): boolean => /[\w.\-=:([{"']/.test(c)

export function generalize(a: readonly string[], b: readonly string[]): string[] {
  return a.map((token, i) => generalizeToken(token, b[i]!))
}

/**
 * Groups of two or more templates that are one event, with the template covering each group.
 * Cost: O(templates × tokens).
 */
export function mergeGroups<T extends Candidate>(templates: readonly T[], maxConstants: number): MergeGroup<T>[] {
  if (templates.length < 2) return []
  const length = templates[0]!.tokens.length
  const frequency = Array.from({ length }, () => new Map<string, number>())
  for (const t of templates) {
    t.tokens.forEach((token, p) => frequency[p]!.set(token, (frequency[p]!.get(token) ?? 0) + t.count))
  }
  const anchors = new Map<string, { positions: boolean[]; members: T[] }>()
  for (const t of templates) {
    // A bare value says nothing about which event a template is; a key (`uid=<*>`) does.
    const counts = t.tokens.map((token, p) => (isBareVariable(token) ? -1 : frequency[p]!.get(token)!))
    const anchored = anchorPositions(counts)
    const key = t.tokens.map((token, p) => (anchored[p] ? token : '\u0001')).join('\u0000')
    let group = anchors.get(key)
    if (!group) {
      group = { positions: anchored, members: [] }
      anchors.set(key, group)
    }
    group.members.push(t)
  }
  const groups: MergeGroup<T>[] = []
  for (const { positions, members } of anchors.values()) {
    // Templates without a constant share no evidence of being one event.
    if (members.length < 2 || !positions.includes(true)) continue
    const variable = positions.map((anchored, p) => !anchored && isVariableColumn(members, p, maxConstants))
    const bySignature = new Map<string, T[]>()
    for (const t of members) {
      const signature = t.tokens.map((token, p) => (variable[p] ? '' : token)).join('\u0000')
      const list = bySignature.get(signature)
      if (list) list.push(t)
      else bySignature.set(signature, [t])
    }
    for (const list of bySignature.values()) {
      if (list.length < 2) continue
      let tokens = [...list[0]!.tokens]
      for (let k = 1; k < list.length; k++) tokens = generalize(tokens, list[k]!.tokens)
      groups.push({ members: list, tokens })
    }
  }
  return groups
}

/** Positions whose count is at least the message's most common count (ties: the higher). */
function anchorPositions(counts: readonly number[]): boolean[] {
  const tally = new Map<number, number>()
  for (const c of counts) if (c >= 0) tally.set(c, (tally.get(c) ?? 0) + 1)
  if (tally.size === 0) return counts.map(() => false)
  let best = -1
  let bestTally = -1
  for (const [c, n] of tally) {
    if (n > bestTally || (n === bestTally && c > best)) {
      best = c
      bestTally = n
    }
  }
  return counts.map((c) => c >= best)
}

function isVariableColumn(members: readonly Candidate[], p: number, maxConstants: number): boolean {
  const seen = new Set<string>()
  let names = true
  for (const t of members) {
    const token = t.tokens[p]!
    // A bare value there (`<*>`, `(<*>),`) makes the position a variable; a keyed one
    // (`uid=<*>`) is counted like a constant.
    if (isBareVariable(token)) return true
    seen.add(token)
    names &&= isQualifiedName(token)
    if (seen.size > maxConstants) return true
  }
  // Paths and qualified names that differ under one anchor are values (component, intent, file).
  return names && seen.size > 1
}
