/**
 * Event-store migration 7: security events (ECS-shaped) and their per-minute rollups.
 *
 * - `security_events` is ordered by project and time (the timeline reads a project's time range),
 *   with bloom-filter skip indexes for the pivots (ip, related ips, user, related users, session),
 *   a set index on the action and a token index on `message`. `source_ip` is an IPv6 column (IPv4
 *   as mapped addresses) so CIDR searches are range scans. ReplacingMergeTree on (project, time,
 *   id) backs up the writer's id check, as for errors. Rows live `retention_days`: the project's retention (see retention-migration.ts).
 * - `security_minute` counts events per project, minute, action and outcome as a set sketch of
 *   event ids (`uniqCombined`), so adding the same events twice (a redelivered batch repairing
 *   its rollups) changes nothing: a sketch union is idempotent.
 */
import type { EventStoreMigration } from './migration'
import { engine } from './table-engine'
import { retentionDaysDefault } from './retention-migration'

export const securityEventsMigration: EventStoreMigration = {
  version: 7,
  name: 'security events, their skip indexes, per-minute rollups per action and outcome, TTL',
  statements: (s) => {
    const db = s.database
    return [
      `CREATE TABLE IF NOT EXISTS ${db}.security_events ${s.onCluster} (
        project_id UInt64,
        timestamp DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
        received_at DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
        event_id UUID,
        kind LowCardinality(String),
        category Array(LowCardinality(String)),
        type Array(LowCardinality(String)),
        action LowCardinality(String),
        outcome LowCardinality(String),
        severity UInt8,
        dataset LowCardinality(String),
        provider LowCardinality(String),
        reason String,
        message String,
        source_ip IPv6,
        source_port UInt16,
        geo_country_iso_code LowCardinality(String),
        geo_country_name LowCardinality(String),
        user_id String,
        user_name String,
        user_email String,
        user_agent String,
        url String,
        http_method LowCardinality(String),
        http_status UInt16,
        related_ip Array(String),
        related_user Array(String),
        related_hosts Array(String),
        trace_id String,
        span_id String,
        session_id String,
        replay_id String,
        attributes Map(String, String),
        payload String CODEC(ZSTD(3)),
        retention_days UInt16 DEFAULT ${retentionDaysDefault(db)},
        INDEX idx_event_id event_id TYPE bloom_filter(0.001) GRANULARITY 1,
        INDEX idx_source_ip source_ip TYPE bloom_filter(0.01) GRANULARITY 2,
        INDEX idx_related_ip related_ip TYPE bloom_filter(0.01) GRANULARITY 2,
        INDEX idx_user_name user_name TYPE bloom_filter(0.01) GRANULARITY 2,
        INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 2,
        INDEX idx_related_user related_user TYPE bloom_filter(0.01) GRANULARITY 2,
        INDEX idx_session_id session_id TYPE bloom_filter(0.01) GRANULARITY 2,
        INDEX idx_action action TYPE set(256) GRANULARITY 2,
        INDEX idx_message message TYPE tokenbf_v1(8192, 3, 0) GRANULARITY 4
      ) ENGINE = ${engine(s, 'ReplacingMergeTree')}
      PARTITION BY toYYYYMM(timestamp)
      ORDER BY (project_id, timestamp, event_id)
      TTL toDateTime(timestamp) + toIntervalDay(retention_days)`,
      `CREATE TABLE IF NOT EXISTS ${db}.security_minute ${s.onCluster} (
        project_id UInt64,
        minute DateTime('UTC'),
        action LowCardinality(String),
        outcome LowCardinality(String),
        events AggregateFunction(uniqCombined, UUID),
        retention_days SimpleAggregateFunction(max, UInt16)
      ) ENGINE = ${engine(s, 'AggregatingMergeTree')}
      PARTITION BY toYYYYMM(minute)
      ORDER BY (project_id, minute, action, outcome)
      TTL minute + toIntervalDay(retention_days)`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.security_minute_mv ${s.onCluster}
      TO ${db}.security_minute AS
      ${securityMinuteSelect(db, '1')}`,
    ]
  },
}

/** The rollup rows of the security events matching `where`: the view's query, and the writer's repair. */
export function securityMinuteSelect(db: string, where: string): string {
  return `SELECT project_id, toStartOfMinute(timestamp) AS minute, action, outcome,
      uniqCombinedState(event_id) AS events, max(retention_days) AS retention_days
    FROM ${db}.security_events WHERE ${where}
    GROUP BY project_id, minute, action, outcome`
}
