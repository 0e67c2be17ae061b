/**
 * Event-store migration 8: `security_entities`, the security events again, ordered by the IP,
 * user or session they concern, so a pivot ("everything about 203.0.113.7 this week") reads one
 * short range of the sort key instead of every granule of the project's time range.
 *
 * - One row per event and entity: the event's source IP and related IPs (`ip`, as 32 hex digits
 *   of the IPv6 form, so a CIDR range is a range of the key), its user name, id and related users
 *   (`user`), its session (`session`), with the columns a pivot summarizes.
 * - Filled from the stored events, never from a materialized view: `fillSecurityEntities` runs
 *   after the writer's insert for every event of a batch, also the ones a redelivered batch finds
 *   already stored, so a crash between the two writes leaves nothing missing. Filling twice adds
 *   copies with the same sort key, which ReplacingMergeTree merges away, and readers count
 *   distinct event ids, so counts never double.
 * - The migration backfills the table from the events already stored.
 *
 * It also gives `security_events` a projection of event counts per project, minute, action and
 * outcome (`minute_counts`): a histogram of a query on action and outcome alone then reads a few
 * rows per minute instead of every event (the `security_minute` sketches cost as much to merge as
 * the ids they hold). Counts are `count()`, exact as the events' own; projections are rebuilt when
 * ReplacingMergeTree merges drop copies or rows are deleted, and materialized for stored parts.
 */
import { toUuid } from '../schema'
import type { EventStore } from './event-store'
import type { EventStoreMigration } from './migrations'
import { retentionDaysDefault } from './retention-migration'
import { engine } from './table-engine'

export const SecurityEntityKinds = { ip: 'ip', user: 'user', session: 'session' } as const
export type SecurityEntityKind = (typeof SecurityEntityKinds)[keyof typeof SecurityEntityKinds]

export const securityEntitiesMigration: EventStoreMigration = {
  version: 8,
  name: 'security events by entity (ip, user, session) for pivots, backfilled; per-minute count projection on security_events',
  statements: (s) => [
    `CREATE TABLE IF NOT EXISTS ${s.database}.security_entities ${s.onCluster} (
      project_id UInt64,
      entity_kind LowCardinality(String),
      entity String,
      timestamp DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
      event_id UUID,
      action LowCardinality(String),
      outcome LowCardinality(String),
      source_ip IPv6,
      geo_country_iso_code LowCardinality(String),
      users Array(String),
      session_id String,
      retention_days UInt16 DEFAULT ${retentionDaysDefault(s.database)}
    ) ENGINE = ${engine(s, 'ReplacingMergeTree')}
    PARTITION BY toYYYYMM(timestamp)
    ORDER BY (project_id, entity_kind, entity, timestamp, event_id)
    TTL toDateTime(timestamp) + toIntervalDay(retention_days)`,
    securityEntitiesInsert(s, '1'),
    `ALTER TABLE ${s.database}.security_events ${s.onCluster}
      MODIFY SETTING deduplicate_merge_projection_mode = 'rebuild', lightweight_mutation_projection_mode = 'rebuild'`,
    `ALTER TABLE ${s.database}.security_events ${s.onCluster} ADD PROJECTION IF NOT EXISTS minute_counts
      (SELECT project_id, toStartOfMinute(timestamp), action, outcome, count() GROUP BY project_id, toStartOfMinute(timestamp), action, outcome)`,
    `ALTER TABLE ${s.database}.security_events ${s.onCluster} MATERIALIZE PROJECTION minute_counts`,
  ],
}

/** The hex key of an IPv6 value (IPv4 as mapped): what `entity` holds for the `ip` kind. */
const ipKey = (ip: string) => `hex(${ip})`

/** The entity rows of the stored events matching `where` (a condition on `security_events`). */
export function securityEntitiesInsert(store: Pick<EventStore, 'database'>, where: string): string {
  const db = store.database
  return `INSERT INTO ${db}.security_entities (project_id, entity_kind, entity, timestamp, event_id, action, outcome, source_ip, geo_country_iso_code, users, session_id, retention_days)
    SELECT project_id, pair.1, pair.2, timestamp, event_id, action, outcome, source_ip, geo_country_iso_code,
      arrayDistinct(arrayFilter(x -> x != '', arrayPushBack(related_user, user_name))), session_id, retention_days
    FROM ${db}.security_events
    ARRAY JOIN arrayConcat(
      arrayMap(x -> ('${SecurityEntityKinds.ip}', ${ipKey('x')}), arrayDistinct(arrayFilter(x -> x != toIPv6('::'), arrayPushFront(arrayMap(x -> toIPv6OrDefault(x), related_ip), source_ip)))),
      arrayMap(x -> ('${SecurityEntityKinds.user}', x), arrayDistinct(arrayFilter(x -> x != '', arrayConcat([user_name, user_id], related_user)))),
      if(session_id != '', [('${SecurityEntityKinds.session}', session_id)], [])) AS pair
    WHERE ${where}`
}

/** An event the writer stored (or found stored): its project, id and time. */
export interface StoredEventKey {
  projectId: string
  event: { '@timestamp': string; event: { id: string } }
}

/**
 * Writes the entity rows of `events` from their stored rows. The security writer calls it after
 * its insert with every event of the batch, stored now or before.
 */
export async function fillSecurityEntities(store: EventStore, events: readonly StoredEventKey[]): Promise<void> {
  if (events.length === 0) return
  const times = events.map((e) => Date.parse(e.event['@timestamp']))
  // The batch's time span narrows the read along the sort key; the ids pick the rows.
  await store.client.command({
    query: securityEntitiesInsert(
      store,
      `project_id IN {projects:Array(UInt64)} AND timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND timestamp <= fromUnixTimestamp64Milli({to:Int64})
        AND event_id IN {ids:Array(UUID)}`,
    ),
    query_params: {
      projects: [...new Set(events.map((e) => Number(e.projectId)))],
      from: times.reduce((a, b) => Math.min(a, b)),
      to: times.reduce((a, b) => Math.max(a, b)),
      ids: events.map((e) => toUuid(e.event.event.id)),
    },
  })
}
