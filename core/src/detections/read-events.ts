/**
 * The stored events a rule could use in a time range, oldest first: what streaming detections read
 * back and backtests scan. Along the sort key with a plain LIMIT, so ClickHouse reads in order and
 * stops early (`LIMIT 1 BY event_id` would read the whole range); a copy a crash left behind sorts
 * next to its original and is dropped here.
 */
import type { EventStore } from '../event-store'
import { queryToSql, type SecurityEvent } from '../security'
import type { TimedEvent } from './engine'
import type { SequenceRule, ThresholdRule } from './rule'

export interface RuleEventsQuery {
  from: number
  to: number
  limit: number
  /** A further condition (e.g. the groups of a batch) with its own bound parameters. */
  extra?: { sql: string; params: Record<string, unknown> }
}

export async function readRuleEvents(store: EventStore, projectId: string, rule: ThresholdRule | SequenceRule, q: RuleEventsQuery): Promise<TimedEvent[]> {
  const wheres = rule.kind === 'threshold' ? [rule.where] : rule.steps.map((s) => s.where)
  const where = queryToSql(wheres.length === 1 ? wheres[0]! : { type: 'or', children: wheres })
  const result = await store.client.query({
    query: `SELECT toUnixTimestamp64Milli(timestamp) AS at, event_id AS id, payload FROM ${store.database}.security_events
      WHERE project_id = {project:UInt64} AND timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND timestamp < fromUnixTimestamp64Milli({to:Int64})
        AND (${where.sql}) AND (${q.extra?.sql ?? '1'})
      ORDER BY timestamp, event_id LIMIT {limit:UInt32}`,
    query_params: { ...where.params, ...q.extra?.params, project: Number(projectId), from: q.from, to: q.to, limit: q.limit },
    format: 'JSONEachRow',
  })
  const rows = await result.json<{ at: number; id: string; payload: string }>()
  return rows.filter((row, i) => i === 0 || row.id !== rows[i - 1]!.id).map((row) => ({ at: Number(row.at), event: JSON.parse(row.payload) as SecurityEvent }))
}
