/**
 * Versioned ClickHouse schema. Each migration runs once, in order, recorded in
 * `schema_migrations`; statements are idempotent (IF NOT EXISTS) so a crash between a statement
 * and its record is harmless on the next start. Never edit a released migration: add one.
 */
import { EventStoreError } from '../errors'
import type { EventStore } from './event-store'
import type { EventStoreMigration } from './migration'
import { rollupRefreshStatements } from './rollup-refresh'
import { retentionMigration } from './retention-migration'
import { engine } from './table-engine'
import { securityEventsMigration } from './security-migration'
import { securityEntitiesMigration, securityEntitiesViewMigration, securityEntityEventsMigration } from './security-entities'

export const eventStoreMigrations: EventStoreMigration[] = [
  {
    version: 1,
    name: 'error events and per-minute rollups',
    statements: (s) => {
      const db = s.database
      return [
        `CREATE TABLE IF NOT EXISTS ${db}.error_events ${s.onCluster} (
          project_id UInt64,
          fingerprint String,
          issue_id String,
          timestamp DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
          received_at DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
          event_id UUID,
          level LowCardinality(String),
          platform LowCardinality(String),
          environment LowCardinality(String),
          release LowCardinality(String),
          dist LowCardinality(String),
          server_name LowCardinality(String),
          transaction String,
          logger LowCardinality(String),
          title String,
          culprit String,
          exception_type LowCardinality(String),
          exception_value String,
          message String,
          user_key String,
          user_id String,
          user_email String,
          user_username String,
          user_ip String,
          sdk_name LowCardinality(String),
          sdk_version LowCardinality(String),
          trace_id String,
          span_id String,
          replay_id String,
          tags Map(LowCardinality(String), String),
          grouping_strategy LowCardinality(String),
          payload String CODEC(ZSTD(3)),
          INDEX idx_event_id event_id TYPE bloom_filter(0.001) GRANULARITY 1,
          INDEX idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 4,
          INDEX idx_message message TYPE tokenbf_v1(8192, 3, 0) GRANULARITY 4
        ) ENGINE = ${engine(s, 'ReplacingMergeTree')}
        PARTITION BY toYYYYMM(timestamp)
        ORDER BY (project_id, fingerprint, timestamp, event_id)`,
        // Counts per fingerprint and minute: issue counts, users affected, sparklines and anomaly
        // features read these, summed over an issue's fingerprints (merges need no rewrite).
        `CREATE TABLE IF NOT EXISTS ${db}.fingerprint_minute ${s.onCluster} (
          project_id UInt64,
          fingerprint String,
          minute DateTime('UTC'),
          events SimpleAggregateFunction(sum, UInt64),
          users AggregateFunction(uniq, String),
          first_seen SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
          last_seen SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
        ) ENGINE = ${engine(s, 'AggregatingMergeTree')}
        PARTITION BY toYYYYMM(minute)
        ORDER BY (project_id, fingerprint, minute)`,
        `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.fingerprint_minute_mv ${s.onCluster}
        TO ${db}.fingerprint_minute AS
        SELECT project_id, fingerprint, toStartOfMinute(timestamp) AS minute,
          count() AS events, uniqStateIf(user_key, user_key != '') AS users,
          min(timestamp) AS first_seen, max(timestamp) AS last_seen
        FROM ${db}.error_events
        GROUP BY project_id, fingerprint, minute`,
        `CREATE TABLE IF NOT EXISTS ${db}.project_minute ${s.onCluster} (
          project_id UInt64,
          minute DateTime('UTC'),
          level LowCardinality(String),
          events SimpleAggregateFunction(sum, UInt64)
        ) ENGINE = ${engine(s, 'AggregatingMergeTree')}
        PARTITION BY toYYYYMM(minute)
        ORDER BY (project_id, minute, level)`,
        `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.project_minute_mv ${s.onCluster}
        TO ${db}.project_minute AS
        SELECT project_id, toStartOfMinute(timestamp) AS minute, level, count() AS events
        FROM ${db}.error_events
        GROUP BY project_id, minute, level`,
      ]
    },
  },
  {
    version: 2,
    name: 'message templates on events and per-template rollups',
    statements: (s) => {
      const db = s.database
      return [
        `ALTER TABLE ${db}.error_events ${s.onCluster}
          ADD COLUMN IF NOT EXISTS template_id LowCardinality(String) DEFAULT '',
          ADD COLUMN IF NOT EXISTS template String DEFAULT ''`,
        // Per template and minute: counts for pattern series, and the fingerprints (issues) it spans.
        `CREATE TABLE IF NOT EXISTS ${db}.template_minute ${s.onCluster} (
          project_id UInt64,
          template_id String,
          minute DateTime('UTC'),
          events SimpleAggregateFunction(sum, UInt64),
          fingerprints AggregateFunction(groupUniqArray(100), String),
          first_seen SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
          last_seen SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
        ) ENGINE = ${engine(s, 'AggregatingMergeTree')}
        PARTITION BY toYYYYMM(minute)
        ORDER BY (project_id, template_id, minute)`,
        `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.template_minute_mv ${s.onCluster}
        TO ${db}.template_minute AS
        SELECT project_id, template_id, toStartOfMinute(timestamp) AS minute, count() AS events,
          groupUniqArrayState(100)(fingerprint) AS fingerprints,
          min(timestamp) AS first_seen, max(timestamp) AS last_seen
        FROM ${db}.error_events
        WHERE template_id != ''
        GROUP BY project_id, template_id, minute`,
      ]
    },
  },
  {
    version: 3,
    name: 'anomaly scores per project and issue series',
    statements: (s) => [
      // One row per series point scored; re-scoring a minute replaces the row.
      `CREATE TABLE IF NOT EXISTS ${s.database}.anomaly_scores ${s.onCluster} (
        project_id UInt64,
        series_kind LowCardinality(String),
        series_id String,
        minute DateTime('UTC'),
        value Float64,
        score Float32,
        model_version LowCardinality(String),
        drivers String CODEC(ZSTD(1)),
        scored_at DateTime64(3, 'UTC') DEFAULT now64(3)
      ) ENGINE = ${engine(s, 'ReplacingMergeTree', 'scored_at')}
      PARTITION BY toYYYYMM(minute)
      ORDER BY (project_id, series_kind, series_id, minute)`,
    ],
  },
  {
    version: 4,
    name: 'rollups recomputed from the stored events instead of added to by materialized views',
    // The views added each insert's rows to the rollups in a write of their own: a crash between
    // the event write and the view writes, and the events skipped as already stored on
    // redelivery, left the rollups short for good. Now the processor recomputes the minutes it
    // touched (see rollup-refresh.ts) and every column merges idempotently. Each statement can run
    // again after a crash: the rollups are emptied and backfilled from the events as a whole.
    statements: (s) => {
      const db = s.database
      const rollups = ['fingerprint_minute', 'project_minute', 'template_minute']
      return [
        ...rollups.map((table) => `DROP VIEW IF EXISTS ${db}.${table}_mv ${s.onCluster}`),
        ...rollups.map((table) => `TRUNCATE TABLE ${db}.${table} ${s.onCluster}`),
        `ALTER TABLE ${db}.fingerprint_minute ${s.onCluster} MODIFY COLUMN events SimpleAggregateFunction(max, UInt64)`,
        `ALTER TABLE ${db}.project_minute ${s.onCluster}
          ADD COLUMN IF NOT EXISTS fingerprint String, MODIFY ORDER BY (project_id, minute, level, fingerprint)`,
        `ALTER TABLE ${db}.project_minute ${s.onCluster} MODIFY COLUMN events SimpleAggregateFunction(max, UInt64)`,
        `ALTER TABLE ${db}.template_minute ${s.onCluster}
          ADD COLUMN IF NOT EXISTS fingerprint String, MODIFY ORDER BY (project_id, template_id, minute, fingerprint)`,
        `ALTER TABLE ${db}.template_minute ${s.onCluster} MODIFY COLUMN events SimpleAggregateFunction(max, UInt64)`,
        ...rollupRefreshStatements(s, '1'),
      ]
    },
  },
  retentionMigration,
  securityEventsMigration,
  securityEntitiesMigration,
  securityEntityEventsMigration,
  securityEntitiesViewMigration,
]

export async function applyEventStoreMigrations(
  store: EventStore,
  migrations: EventStoreMigration[] = eventStoreMigrations,
): Promise<number[]> {
  const { client, database: db, onCluster } = store
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db} ${onCluster}` })
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations ${onCluster} (
      version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ${engine(store, 'ReplacingMergeTree')} ORDER BY version`,
  })
  const applied = new Set(
    (
      await (await client.query({ query: `SELECT version FROM ${db}.schema_migrations`, format: 'JSONEachRow' })).json<{
        version: number
      }>()
    ).map((row) => Number(row.version)),
  )
  const ran: number[] = []
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue
    for (const statement of migration.statements(store)) {
      try {
        await client.command({ query: statement })
      } catch (cause) {
        throw new EventStoreError(
          'migration_failed',
          `event store migration ${migration.version} (${migration.name}) failed`,
          { cause },
        )
      }
    }
    await client.insert({
      table: `${db}.schema_migrations`,
      values: [{ version: migration.version, name: migration.name }],
      format: 'JSONEachRow',
    })
    ran.push(migration.version)
  }
  return ran
}
