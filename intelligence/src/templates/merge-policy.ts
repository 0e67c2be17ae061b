/**
 * What bounds the number of templates when messages stop looking like log events: the two merge
 * policies besides consolidation (consolidate.ts). Both return groups of templates of one token
 * count with the template that covers each; the miner folds each group into its oldest member
 * and marks the result a catch-all ("wide": its wildcards accept words too).
 *
 * - Explosion: when most templates of a token count were seen once and, at some positions,
 *   nearly every one of them holds a different word, those positions are values (random ids
 *   without digits, generated names, free text), and the templates seen once are merged with
 *   those positions as wildcards. Templates seen more than once keep their words.
 * - Cap: past `maxTemplatesPerLength`, the position with the most different words becomes a
 *   wildcard in every template of that count, then the next, until at most half the cap remain.
 */
import type { Candidate, MergeGroup } from './consolidate'
import { isVariable, wildcard } from './tokenize'

export interface ExplosionLimits {
  /** Templates a token count must hold before it can be found exploded. */
  minTemplates: number
  /** Share of them seen once. */
  singletonShare: number
  /** Share of different words among those at a position for it to count as values. */
  distinctShare: number
}

export const defaultExplosionLimits: ExplosionLimits = { minTemplates: 64, singletonShare: 0.9, distinctShare: 0.9 }

export function explodedGroups<T extends Candidate>(templates: readonly T[], limits: ExplosionLimits = defaultExplosionLimits): MergeGroup<T>[] {
  if (templates.length < limits.minTemplates) return []
  const singletons = templates.filter((t) => t.count <= 1)
  if (singletons.length < limits.singletonShare * templates.length) return []
  const length = singletons[0]!.tokens.length
  const exploded: number[] = []
  for (let p = 0; p < length; p++) {
    const distinct = new Set<string>()
    let words = 0
    for (const t of singletons) {
      if (isVariable(t.tokens[p]!)) continue
      words++
      distinct.add(t.tokens[p]!)
    }
    if (words > 0 && distinct.size >= limits.distinctShare * words) exploded.push(p)
  }
  if (exploded.length === 0) return []
  return groupByProjection(singletons, new Set(exploded), true)
}

export function cappedGroups<T extends Candidate>(templates: readonly T[], target: number): MergeGroup<T>[] {
  if (templates.length <= target || templates.length === 0) return []
  const length = templates[0]!.tokens.length
  // Positions by how many different words they hold, most first; widening more of them never
  // makes more distinct templates, so the fewest that reach the target are found by bisection.
  const order = Array.from({ length }, (_, p) => p)
    .map((p) => ({ p, distinct: new Set(templates.flatMap((t) => (isVariable(t.tokens[p]!) ? [] : [t.tokens[p]!]))).size }))
    .filter((c) => c.distinct > 1)
    .sort((a, b) => b.distinct - a.distinct || a.p - b.p)
    .map((c) => c.p)
  const distinctAfter = (k: number): number => new Set(templates.map((t) => project(t.tokens, new Set(order.slice(0, k))).join('\u0000'))).size
  let lo = 1
  let hi = order.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (distinctAfter(mid) <= target) hi = mid
    else lo = mid + 1
  }
  return groupByProjection(templates, new Set(order.slice(0, hi)), false)
}

function project(tokens: readonly string[], positions: ReadonlySet<number>): string[] {
  return tokens.map((token, p) => (positions.has(p) ? wildcard : token))
}

/** Templates that read the same with `positions` as wildcards; single ones too if they change. */
function groupByProjection<T extends Candidate>(templates: readonly T[], positions: ReadonlySet<number>, includeSingles: boolean): MergeGroup<T>[] {
  const groups = new Map<string, MergeGroup<T>>()
  for (const t of templates) {
    const tokens = project(t.tokens, positions)
    const key = tokens.join('\u0000')
    const group = groups.get(key)
    if (group) group.members.push(t)
    else groups.set(key, { members: [t], tokens })
  }
  return [...groups.values()].filter((g) => g.members.length > 1 || (includeSingles && g.tokens.join('\u0000') !== g.members[0]!.tokens.join('\u0000')))
}
