/**
 * Evaluating a threshold or sequence rule over a time-ordered stream of security events. The same
 * code serves the streaming detections (over the events of the groups a batch touched, read back
 * from the store) and backtests (over a stored time range), so a backtest shows exactly what the
 * rule would have raised.
 *
 * A detection's id is a hash of the rule, its group and its anchor event (the one that completed
 * it), so evaluating the same events twice, on one replica or two, gives the same id. `known`
 * detections (stored earlier) block new ones of the same group anchored within `suppress` of them,
 * before or after: two replicas that saw a burst in different orders find it once.
 */
import { createHash } from 'node:crypto'
import { matchesQuery, type SecurityEvent } from '../security'
import type { DetectionRule, GroupField, SequenceRule, SuppressionRule, ThresholdRule } from './rule'

export interface TimedEvent {
  /** Milliseconds since the epoch (`@timestamp`). */
  at: number
  event: SecurityEvent
}

export interface Detection {
  id: string
  ruleId: string
  ruleVersion: string
  ruleName: string
  kind: 'threshold' | 'sequence'
  severity: string
  /** Field name → value; empty for a rule without `group_by`. */
  group: Record<string, string>
  groupKey: string
  anchorAt: number
  anchorEventId: string
  firstAt: number
  lastAt: number
  count: number
  /** Distinct values of the cardinality field, when the rule has one. */
  distinct?: number
  /** Up to 100 of the events that make it up, oldest first. */
  eventIds: string[]
  summary: string
}

export interface KnownDetection {
  id: string
  groupKey: string
  anchorAt: number
}

export interface EvaluationResult {
  /** Detections not among `known`. */
  detections: Detection[]
  /** Ids of `known` detections found again (for a publish that a crash interrupted). */
  again: string[]
}

const maxEventIds = 100

/** The group an event belongs to, or undefined when it lacks a group field. */
export function groupOf(groupBy: GroupField[], event: SecurityEvent): { key: string; values: Record<string, string> } | undefined {
  const values: Record<string, string> = {}
  for (const field of groupBy) {
    const value = field.spec.get(event)
    if (value === undefined || value === '' || Array.isArray(value)) return undefined
    values[field.name] = String(value)
  }
  return { key: JSON.stringify(groupBy.map((f) => values[f.name])), values }
}

/**
 * A detection's deterministic id. `scope` is the project: event ids come from senders, so without
 * it one project's detection could take the id of another's (same rule, group and event id) and be
 * taken for stored already.
 */
export function detectionId(scope: string, ruleId: string, groupKey: string, anchorEventId: string): string {
  return createHash('sha256').update(`${scope}\n${ruleId}\n${groupKey}\n${anchorEventId}`).digest('hex').slice(0, 32)
}

const byTime = (a: TimedEvent, b: TimedEvent) => a.at - b.at || (a.event.event.id < b.event.event.id ? -1 : a.event.event.id > b.event.event.id ? 1 : 0)

/** Splits the events into their groups, each in time order; events outside any group are dropped. */
function groups(groupBy: GroupField[], events: TimedEvent[]): Map<string, { values: Record<string, string>; events: TimedEvent[] }> {
  const out = new Map<string, { values: Record<string, string>; events: TimedEvent[] }>()
  for (const e of events) {
    const group = groupOf(groupBy, e.event)
    if (!group) continue
    let entry = out.get(group.key)
    if (!entry) out.set(group.key, (entry = { values: group.values, events: [] }))
    entry.events.push(e)
  }
  for (const entry of out.values()) entry.events.sort(byTime)
  return out
}

class Fired {
  readonly #known: Map<string, number[]>
  readonly #ids: Set<string>
  readonly result: EvaluationResult = { detections: [], again: [] }

  constructor(known: KnownDetection[]) {
    this.#known = new Map()
    this.#ids = new Set(known.map((k) => k.id))
    for (const k of known) this.#times(k.groupKey).push(k.anchorAt)
  }

  #times(groupKey: string): number[] {
    let times = this.#known.get(groupKey)
    if (!times) this.#known.set(groupKey, (times = []))
    return times
  }

  /** Records the candidate unless a detection of its group lies within `suppressMs` of it. */
  offer(detection: Detection, suppressMs: number): void {
    if (this.#ids.has(detection.id)) {
      if (!this.result.again.includes(detection.id)) this.result.again.push(detection.id)
      return
    }
    const times = this.#times(detection.groupKey)
    if (times.some((t) => Math.abs(t - detection.anchorAt) < suppressMs)) return
    times.push(detection.anchorAt)
    this.#ids.add(detection.id)
    this.result.detections.push(detection)
  }
}

function describeGroup(values: Record<string, string>): string {
  const parts = Object.entries(values).map(([k, v]) => `${k}=${v}`)
  return parts.length > 0 ? ` for ${parts.join(', ')}` : ''
}

export function evaluateThreshold(rule: ThresholdRule, events: TimedEvent[], known: KnownDetection[] = [], scope = ''): EvaluationResult {
  const fired = new Fired(known)
  const matching = events.filter((e) => matchesQuery(rule.where, e.event))
  for (const [groupKey, { values, events: stream }] of groups(rule.groupBy, matching)) {
    let start = 0
    const distinct = new Map<string, number>()
    const cardinalityValue = (e: TimedEvent) => (rule.cardinality ? rule.cardinality.field.spec.get(e.event) : undefined)
    for (let i = 0; i < stream.length; i++) {
      const current = stream[i]!
      // Half-open window (at - window, at]: an event `window` old or older has left it.
      while (current.at - stream[start]!.at >= rule.windowMs) {
        const gone = cardinalityValue(stream[start]!)
        if (gone !== undefined) {
          const left = distinct.get(String(gone))! - 1
          if (left === 0) distinct.delete(String(gone))
          else distinct.set(String(gone), left)
        }
        start++
      }
      const value = cardinalityValue(current)
      if (value !== undefined) distinct.set(String(value), (distinct.get(String(value)) ?? 0) + 1)
      const count = i - start + 1
      if (count < rule.threshold) continue
      if (rule.cardinality && distinct.size < rule.cardinality.min) continue
      const window = stream.slice(start, i + 1)
      const summary = rule.cardinality
        ? `${count} events, ${distinct.size} distinct ${rule.cardinality.field.name}${describeGroup(values)} within ${rule.windowMs / 1000} s`
        : `${count} events${describeGroup(values)} within ${rule.windowMs / 1000} s`
      fired.offer(detectionOf(rule, scope, groupKey, values, window, current, summary, rule.cardinality ? distinct.size : undefined), rule.suppressMs)
    }
  }
  return fired.result
}

export function evaluateSequence(rule: SequenceRule, events: TimedEvent[], known: KnownDetection[] = [], scope = ''): EvaluationResult {
  const fired = new Fired(known)
  const last = rule.steps.length - 1
  const relevant = events.filter((e) => rule.steps.some((step) => matchesQuery(step.where, e.event)))
  for (const [groupKey, { values, events: stream }] of groups(rule.groupBy, relevant)) {
    const stepsOf = stream.map((e) => rule.steps.map((step) => matchesQuery(step.where, e.event)))
    let start = 0
    for (let i = 0; i < stream.length; i++) {
      if (!stepsOf[i]![last]) continue
      const anchor = stream[i]!
      while (anchor.at - stream[start]!.at >= rule.maxSpanMs) start++
      // Working back from the anchor, each step takes the latest events that match it before the
      // events the next step took: the choice that keeps the span shortest.
      const chosen: number[] = []
      let before = i + 1
      let complete = true
      for (let step = last; step >= 0 && complete; step--) {
        let need = rule.steps[step]!.count
        for (let j = before - 1; j >= start && need > 0; j--) {
          if (stepsOf[j]![step]) {
            chosen.push(j)
            need--
            before = j
          }
        }
        complete = need === 0
      }
      if (!complete) continue
      const picked = chosen.sort((a, b) => a - b).map((j) => stream[j]!)
      const summary = `${rule.steps.map((s) => s.count).join(' then ')} steps${describeGroup(values)} within ${Math.round((anchor.at - picked[0]!.at) / 1000)} s`
      fired.offer(detectionOf(rule, scope, groupKey, values, picked, anchor, summary), rule.suppressMs)
    }
  }
  return fired.result
}

function detectionOf(rule: ThresholdRule | SequenceRule, scope: string, groupKey: string, group: Record<string, string>, events: TimedEvent[], anchor: TimedEvent, summary: string, distinct?: number): Detection {
  const anchorEventId = anchor.event.event.id
  return {
    id: detectionId(scope, rule.id, groupKey, anchorEventId),
    ruleId: rule.id,
    ruleVersion: rule.version,
    ruleName: rule.name,
    kind: rule.kind,
    severity: rule.severity,
    group,
    groupKey,
    anchorAt: anchor.at,
    anchorEventId,
    firstAt: events[0]!.at,
    lastAt: anchor.at,
    count: events.length,
    ...(distinct !== undefined && { distinct }),
    eventIds: events.slice(-maxEventIds).map((e) => e.event.event.id),
    summary: `${rule.name}: ${summary}`,
  }
}

/**
 * Evaluates a threshold or sequence rule (a suppression rule finds nothing by itself). `scope`
 * (the project whose events these are) goes into the detection ids.
 */
export function evaluateRule(rule: DetectionRule, events: TimedEvent[], known: KnownDetection[] = [], scope = ''): EvaluationResult {
  if (rule.kind === 'threshold') return evaluateThreshold(rule, events, known, scope)
  if (rule.kind === 'sequence') return evaluateSequence(rule, events, known, scope)
  return { detections: [], again: [] }
}

/** The suppression window that holds back `detection` (anchored on `anchor`), if any. */
export function suppressedBy(detection: Detection, anchor: SecurityEvent, suppressions: SuppressionRule[]): string | undefined {
  for (const rule of suppressions) {
    if (!rule.enabled || detection.anchorAt < rule.from || detection.anchorAt >= rule.until) continue
    if (rule.rules !== '*' && !rule.rules.includes(detection.ruleId)) continue
    if (matchesQuery(rule.where, anchor)) return rule.id
  }
  return undefined
}
