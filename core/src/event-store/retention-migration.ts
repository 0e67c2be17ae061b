/** Event-store migration 5: per-project retention of every event table. */
import type { EventStoreMigration } from './migration'
import { engine } from './table-engine'

/** The tables of event data that existed when retention came (migration 5 alters them). */
const tablesAtMigration5 = [
  { table: 'error_events', time: 'toDateTime(timestamp)', aggregating: false },
  { table: 'fingerprint_minute', time: 'minute', aggregating: true },
  { table: 'project_minute', time: 'minute', aggregating: true },
  { table: 'template_minute', time: 'minute', aggregating: true },
  { table: 'anomaly_scores', time: 'minute', aggregating: false },
] as const

/**
 * Every table of event data, for per-project retention: each has a `retention_days` column filled
 * at insert from the `project_retention_dict` dictionary (`retentionDaysDefault`) and a TTL on it.
 * A table added later is created with that column and TTL and listed here.
 */
export const retentionTables: readonly { table: string }[] = [...tablesAtMigration5, { table: 'security_events' }, { table: 'security_minute' }, { table: 'security_entities' }]

/** The `retention_days` default of every event table: the project's retention, or the default. */
export function retentionDaysDefault(database: string): string {
  return `dictGetOrDefault('${database}.project_retention_dict', 'days', project_id, toUInt16(${DEFAULT_RETENTION_DAYS}))`
}

/** Retention of projects without their own setting (documented in the root README). */
export const DEFAULT_RETENTION_DAYS = 90

export const retentionMigration: EventStoreMigration = {
  version: 5,
  name: 'per-project retention: a retention dictionary, retention_days and a TTL on every event table',
  statements: (s) => {
    const db = s.database
    const days = retentionDaysDefault(db)
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
      ...tablesAtMigration5.flatMap(({ table, time, aggregating }) => [
        // In a rollup every column must aggregate; the largest retention of merged rows is kept.
        `ALTER TABLE ${db}.${table} ${s.onCluster}
          ADD COLUMN IF NOT EXISTS retention_days ${aggregating ? 'SimpleAggregateFunction(max, UInt16)' : 'UInt16'} DEFAULT ${days}`,
        `ALTER TABLE ${db}.${table} ${s.onCluster} MODIFY TTL ${time} + toIntervalDay(retention_days)`,
      ]),
    ]
  },
}
