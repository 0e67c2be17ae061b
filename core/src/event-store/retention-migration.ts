/** Event-store migration 5: per-project retention of every event table. */
import type { EventStoreMigration } from './migrations'
import { engine } from './table-engine'

/**
 * Every table of event data and what its rows are dated by, for per-project retention: each has a
 * `retention_days` column filled at insert from the `project_retention_dict` dictionary and a TTL
 * on it. A table added later must be listed here and get the same column and TTL.
 */
export const retentionTables = [
  { table: 'error_events', time: 'toDateTime(timestamp)', aggregating: false },
  { table: 'fingerprint_minute', time: 'minute', aggregating: true },
  { table: 'project_minute', time: 'minute', aggregating: true },
  { table: 'template_minute', time: 'minute', aggregating: true },
  { table: 'anomaly_scores', time: 'minute', aggregating: false },
] as const

/** Retention of projects without their own setting (documented in the root README). */
export const DEFAULT_RETENTION_DAYS = 90

export const retentionMigration: EventStoreMigration = {
  version: 5,
  name: 'per-project retention: a retention dictionary, retention_days and a TTL on every event table',
  statements: (s) => {
    const db = s.database
    const days = `dictGetOrDefault('${db}.project_retention_dict', 'days', project_id, toUInt16(${DEFAULT_RETENTION_DAYS}))`
    return [
      // The retention job and the settings API write a row per project on every change.
      `CREATE TABLE IF NOT EXISTS ${db}.project_retention ${s.onCluster} (
        project_id UInt64,
        days UInt16,
        updated_at DateTime64(3, 'UTC')
      ) ENGINE = ${engine(s, 'ReplacingMergeTree', 'updated_at')}
      ORDER BY project_id`,
      `CREATE DICTIONARY IF NOT EXISTS ${db}.project_retention_dict ${s.onCluster} (project_id UInt64, days UInt16)
      PRIMARY KEY project_id
      SOURCE(CLICKHOUSE(QUERY 'SELECT project_id, argMax(days, updated_at) AS days FROM ${db}.project_retention GROUP BY project_id'))
      LIFETIME(MIN 30 MAX 60)
      LAYOUT(HASHED())`,
      ...retentionTables.flatMap(({ table, time, aggregating }) => [
        // In a rollup every column must aggregate; the largest retention of merged rows is kept.
        `ALTER TABLE ${db}.${table} ${s.onCluster}
          ADD COLUMN IF NOT EXISTS retention_days ${aggregating ? 'SimpleAggregateFunction(max, UInt16)' : 'UInt16'} DEFAULT ${days}`,
        `ALTER TABLE ${db}.${table} ${s.onCluster} MODIFY TTL ${time} + toIntervalDay(retention_days)`,
      ]),
    ]
  },
}
