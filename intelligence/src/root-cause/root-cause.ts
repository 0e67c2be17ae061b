import { median } from 'simple-statistics'
import { twoProportionZTest } from './statistics'

export interface ReleaseCounts {
  release: string
  /** When the release was first seen (deploy time), epoch ms. */
  firstSeen: number
  /** The issue's events and all the project's events while this release was live. */
  issueEvents: number
  projectEvents: number
}

export interface SuspectRelease {
  release: string
  reason: 'first_seen' | 'rate_jump'
  /** Issue events per project event in this release and in the one before. */
  rate: number
  previousRate: number
  z: number
  pValue: number
}

/**
 * The release that introduced the issue (its first release with events) or, when the issue is
 * older, the release where its share of events rose most significantly over the previous one.
 */
export function suspectRelease(releases: readonly ReleaseCounts[], alpha = 0.01): SuspectRelease | undefined {
  const ordered = [...releases].sort((a, b) => a.firstSeen - b.firstSeen)
  let best: SuspectRelease | undefined
  for (let i = 0; i < ordered.length; i++) {
    const current = ordered[i]!
    const previous = ordered[i - 1]
    const rate = current.projectEvents > 0 ? current.issueEvents / current.projectEvents : 0
    if (!previous) continue
    const previousRate = previous.projectEvents > 0 ? previous.issueEvents / previous.projectEvents : 0
    const test = twoProportionZTest(current.issueEvents, current.projectEvents, previous.issueEvents, previous.projectEvents)
    const firstSeen = previous.issueEvents === 0 && current.issueEvents > 0 && ordered.slice(0, i).every((r) => r.issueEvents === 0)
    const candidate: SuspectRelease = { release: current.release, reason: firstSeen ? 'first_seen' : 'rate_jump', rate, previousRate, z: test.z, pValue: test.pValue }
    if (firstSeen && test.pValue < alpha) return candidate
    // Bonferroni over the release transitions compared.
    if (test.pValue * (ordered.length - 1) < alpha && (!best || test.z > best.z)) best = candidate
  }
  return best
}

export interface TagHint {
  key: string
  value: string
  issueCount: number
  issueShare: number
  baselineShare: number
  /** issueShare / baselineShare. */
  lift: number
  z: number
  pValue: number
  /** p-value times the number of (key, value) pairs tested. */
  adjustedPValue: number
}

export type TagCounts = Record<string, Record<string, number>>

/**
 * Tag values over-represented in an issue's events against the project's events, by a one-sided
 * two-proportion z-test per value, Bonferroni-corrected over every value tested.
 */
export function overRepresentedTags(issue: TagCounts, issueTotal: number, baseline: TagCounts, baselineTotal: number, alpha = 0.05, minCount = 5): TagHint[] {
  const candidates: Array<Omit<TagHint, 'adjustedPValue'>> = []
  for (const [key, values] of Object.entries(issue)) {
    for (const [value, count] of Object.entries(values)) {
      if (count < minCount) continue
      const base = baseline[key]?.[value] ?? 0
      const test = twoProportionZTest(count, issueTotal, base, baselineTotal)
      const issueShare = count / issueTotal
      const baselineShare = baselineTotal > 0 ? base / baselineTotal : 0
      candidates.push({ key, value, issueCount: count, issueShare, baselineShare, lift: baselineShare > 0 ? issueShare / baselineShare : Number.POSITIVE_INFINITY, z: test.z, pValue: test.pValue })
    }
  }
  const tests = Math.max(1, candidates.length)
  return candidates
    .map((c) => ({ ...c, adjustedPValue: Math.min(1, c.pValue * tests) }))
    .filter((c) => c.adjustedPValue < alpha)
    .sort((a, b) => a.adjustedPValue - b.adjustedPValue || b.lift - a.lift)
}

/** Index where the latest spike began: the last point whose robust z crosses `z` from below. */
export function spikeStart(values: ArrayLike<number>, window = 60, z = 4): number | undefined {
  let start: number | undefined
  let above = false
  for (let i = window; i < values.length; i++) {
    const history: number[] = []
    for (let j = i - window; j < i; j++) history.push(values[j]!)
    const med = median(history)
    const mad = median(history.map((v) => Math.abs(v - med)))
    const score = (values[i]! - med) / Math.sqrt(1 + med + (1.4826 * mad) ** 2)
    if (score >= z && !above) start = i
    above = score >= z
  }
  return start
}

export interface CoSpike<Id> {
  id: Id
  /** Points between the target's spike start and this issue's (negative: it started earlier). */
  lag: number
  /** Pearson correlation of the two series around the spike. */
  correlation: number
}

/** Issues whose spikes began within `maxLag` points of the target's spike. */
export function coSpikingIssues<Id>(target: ArrayLike<number>, others: ReadonlyArray<{ id: Id; values: ArrayLike<number> }>, maxLag = 5, window = 60): CoSpike<Id>[] {
  const start = spikeStart(target, window)
  if (start === undefined) return []
  const from = Math.max(0, start - window)
  const to = Math.min(target.length, start + window)
  const out: CoSpike<Id>[] = []
  for (const other of others) {
    const otherStart = spikeStart(other.values, window)
    if (otherStart === undefined || Math.abs(otherStart - start) > maxLag) continue
    out.push({ id: other.id, lag: otherStart - start, correlation: pearson(target, other.values, from, to) })
  }
  return out.sort((a, b) => Math.abs(a.lag) - Math.abs(b.lag) || b.correlation - a.correlation)
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>, from: number, to: number): number {
  let n = 0
  let sa = 0
  let sb = 0
  for (let i = from; i < to && i < b.length; i++, n++) {
    sa += a[i]!
    sb += b[i]!
  }
  if (n < 2) return 0
  const ma = sa / n
  const mb = sb / n
  let cov = 0
  let va = 0
  let vb = 0
  for (let i = from; i < from + n; i++) {
    cov += (a[i]! - ma) * (b[i]! - mb)
    va += (a[i]! - ma) ** 2
    vb += (b[i]! - mb) ** 2
  }
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0
}
