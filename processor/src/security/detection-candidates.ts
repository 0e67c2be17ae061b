/**
 * Which groups a batch touched could fire a rule at all, counted in ClickHouse over the same stored
 * events the read-back would return, so that only those groups' events are read back and parsed.
 * A group can fire only if, over the read-back's range, it has at least `threshold` matching events
 * (and `cardinality.min` distinct values), or for a sequence at least each step's `count` events
 * matching that step. Counts are taken per value of the first group field: a group's events are a
 * subset of its first field's, so a group this drops could not have fired (counts that are too high,
 * e.g. an empty cardinality value counted as one, only let more through).
 *
 * A group must also have an event that could anchor a detection not stored yet: one matching the
 * rule's `where` (a sequence's last step) at `anchorsFrom` or later, farther than `suppress` from
 * every known detection of its group. A batch's events change only the anchors at or after the
 * earliest of them, and the engine blocks a candidate within `suppress` of a known detection, so a
 * group without such an event cannot fire now. Without this, a group that fired once (a user who
 * signs in all day) was read back on every batch for the rest of its suppression: every batch of a
 * burst read back the whole window (issue 15's bench).
 */
import type { EventStore } from '@faultline/core/event-store'
import type { SequenceRule, ThresholdRule } from '@faultline/core/detections'
import { queryToSql } from '@faultline/core/security'

export interface CandidateQuery {
  projectId: string
  from: number
  to: number
  /** Distinct values of the rule's first group field among the touched groups (ignored without group_by). */
  values: string[]
  /** The earliest time an anchor this batch could change (its earliest event's). */
  anchorsFrom: number
  /**
   * Anchor times of the known detections that block new ones, by first group field value (`''`
   * without group_by). Only for rules with at most one group field: the counts are per first-field
   * value, and with more fields the anchors of one group must not block another's.
   */
  known?: Map<string, number[]>
}

/**
 * The first-group-field values (all of `values`, or `['']` for a rule without group_by) whose groups
 * could fire; undefined when the rule's fields cannot be counted in SQL (the caller reads back all).
 */
export async function candidateValues(store: EventStore, rule: ThresholdRule | SequenceRule, q: CandidateQuery): Promise<Set<string> | undefined> {
  const first = rule.groupBy[0]
  if (first?.spec.attribute !== undefined) return undefined
  const known = rule.groupBy.length <= 1 ? (q.known ?? new Map<string, number[]>()) : new Map<string, number[]>()
  const params: Record<string, unknown> = { project: Number(q.projectId), from: q.from, to: q.to, groups: q.values, anchorsFrom: q.anchorsFrom, knownKeys: [...known.keys()], knownAnchors: [...known.values()] }
  const conditions: string[] = []
  const counts: string[] = []
  let where: string
  let anchor: string
  if (rule.kind === 'threshold') {
    const sql = queryToSql(rule.where, 'w')
    Object.assign(params, sql.params)
    where = sql.sql
    anchor = '1'
    counts.push('count() AS n')
    conditions.push(`n >= ${rule.threshold}`)
    const cardinality = rule.cardinality
    if (cardinality && cardinality.field.spec.attribute === undefined) {
      counts.push(`uniqExact(${cardinality.field.spec.column}) AS d`)
      conditions.push(`d >= ${cardinality.min}`)
    }
  } else {
    const steps = rule.steps.map((step, i) => queryToSql(step.where, `s${i}_`))
    for (const step of steps) Object.assign(params, step.params)
    where = steps.map((step) => `(${step.sql})`).join(' OR ')
    steps.forEach((step, i) => {
      counts.push(`countIf(${step.sql}) AS c${i}`)
      conditions.push(`c${i} >= ${rule.steps[i]!.count}`)
    })
    anchor = steps[steps.length - 1]!.sql
  }
  // Rows of the touched groups (a set lookup, as the read-back's), counted per first-field value. A
  // string value comes back as itself; an address as its 1-based position in `groups` (the stored
  // IPv6 form differs from the text sent), computed only on the groups passing the counts: a linear
  // search of `groups` for every row cost ten times the whole count.
  const ip = first?.spec.kind === 'ip'
  const touched = !first ? '1' : ip ? `${first.spec.column} IN (SELECT toIPv6(arrayJoin({groups:Array(String)})))` : `toString(${first.spec.column}) IN {groups:Array(String)}`
  const value = !first ? "''" : ip ? first.spec.column : `toString(${first.spec.column})`
  const found = ip ? "toString(indexOf(arrayMap(x -> toIPv6(x), {groups:Array(String)}), value))" : 'value'
  // Known anchors by value: an address keyed by the hex of its IPv6 form, as the text sent may differ from it.
  const knownKey = ip ? 'hex(value)' : 'value'
  const knownMap = `mapFromArrays(${ip ? 'arrayMap(x -> hex(toIPv6(x)), {knownKeys:Array(String)})' : '{knownKeys:Array(String)}'}, {knownAnchors:Array(Array(Int64))})`
  counts.push(
    `countIf((${anchor}) AND timestamp >= fromUnixTimestamp64Milli({anchorsFrom:Int64})
      AND NOT arrayExists(a -> abs(toUnixTimestamp64Milli(timestamp) - a) < ${rule.suppressMs}, ${knownMap}[${knownKey}])) AS fresh`,
  )
  conditions.push('fresh >= 1')
  const result = await store.client.query({
    query: `SELECT ${found} AS found FROM (
        SELECT ${value} AS value, ${counts.join(', ')} FROM ${store.database}.security_events
        WHERE project_id = {project:UInt64} AND timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND timestamp < fromUnixTimestamp64Milli({to:Int64})
          AND (${where}) AND ${touched}
        GROUP BY value HAVING ${conditions.join(' AND ')})`,
    query_params: params,
    format: 'JSONEachRow',
    // One thread: a batch runs one such count per rule beside ingest and the insert; spread over the
    // pool, the counts cost twice the CPU on a busy two-core machine (issue 15's bench) for no gain.
    clickhouse_settings: { max_threads: 1 },
  })
  const rows = await result.json<{ found: string }>()
  return new Set(rows.flatMap((row) => (!ip ? [row.found] : Number(row.found) > 0 ? [q.values[Number(row.found) - 1]!] : [])))
}
