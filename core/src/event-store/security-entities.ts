/**
 * Event-store migrations 8 to 10: `security_entities`, the security events again, ordered by the IP,
 * user or session they concern, so a pivot ("everything about 203.0.113.7 this week") reads one
 * short range of the sort key instead of every granule of the project's time range.
 *
 * - One row per event and entity: the event's source IP and related IPs (`ip`, as 32 hex digits
 *   of the IPv6 form, so a CIDR range is a range of the key), its user name, id and related users
 *   (`user`), its session (`session`); since migration 9 with every column of the event.
 * - Since migration 10 a materialized view fills it from each insert into `security_events`. The
 *   writer still fills from the stored rows (`fillSecurityEntities`) the events of a redelivered
 *   batch that it finds stored already, as it repairs their rollups: a crash between the events'
 *   part and the view's leaves nothing missing. Filling twice adds copies with the same sort key,
 *   which ReplacingMergeTree merges away, and readers count distinct event ids, so counts never
 *   double.
 * - Migration 9 rebuilds the table and backfills it from the events already stored.
 *
 * It also gives `security_events` a projection of event counts per project, minute, action and
 * outcome (`minute_counts`): a histogram of a query on action and outcome alone then reads a few
 * rows per minute instead of every event (the `security_minute` sketches cost as much to merge as
 * the ids they hold). Counts are `count()`, exact as the events' own; projections are rebuilt when
 * ReplacingMergeTree merges drop copies or rows are deleted, and materialized for stored parts.
 */
import { toUuid } from '../schema'
import type { EventStore } from './event-store'
import type { EventStoreMigration } from './migration'
import { retentionDaysDefault } from './retention-migration'
import { engine } from './table-engine'

export const SecurityEntityKinds = { ip: 'ip', user: 'user', session: 'session' } as const
export type SecurityEntityKind = (typeof SecurityEntityKinds)[keyof typeof SecurityEntityKinds]

export const securityEntitiesMigration: EventStoreMigration = {
  version: 8,
  name: 'security events by entity (ip, user, session) for pivots, backfilled; per-minute count projection on security_events',
  // Its backfill statement was dropped when migration 9 came: 9 rebuilds the table and backfills
  // it with every column, so filling it here would only be thrown away.
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
    `ALTER TABLE ${s.database}.security_events ${s.onCluster}
      MODIFY SETTING deduplicate_merge_projection_mode = 'rebuild', lightweight_mutation_projection_mode = 'rebuild'`,
    `ALTER TABLE ${s.database}.security_events ${s.onCluster} ADD PROJECTION IF NOT EXISTS minute_counts
      (SELECT project_id, toStartOfMinute(timestamp), action, outcome, count() GROUP BY project_id, toStartOfMinute(timestamp), action, outcome)`,
    `ALTER TABLE ${s.database}.security_events ${s.onCluster} MATERIALIZE PROJECTION minute_counts`,
  ],
}

/**
 * Event-store migration 9: `security_entities` holds whole events (every column of
 * `security_events`, payload included, after `entity_kind` and `entity`), so a search naming one
 * IP, user or session (`user.name: alice and event.outcome: failure`) runs entirely on the entity's
 * short key range, newest first, and never reads the granules of `security_events` that the
 * entity's events are scattered over. The table is rebuilt and backfilled from the events; crashing
 * part way, the migration runs again from the drop.
 */
export const securityEntityEventsMigration: EventStoreMigration = {
  version: 9,
  name: 'security_entities holds whole events (every security_events column), rebuilt and backfilled',
  statements: (s) => [
    `DROP TABLE IF EXISTS ${s.database}.security_entities ${s.onCluster} SYNC`,
    // Columns and types from security_events itself, so the copy has them all by construction.
    `CREATE TABLE IF NOT EXISTS ${s.database}.security_entities ${s.onCluster}
      ENGINE = ${engine(s, 'ReplacingMergeTree')}
      PARTITION BY toYYYYMM(timestamp)
      ORDER BY (project_id, entity_kind, entity, timestamp, event_id)
      TTL toDateTime(timestamp) + toIntervalDay(retention_days)
      EMPTY AS SELECT CAST('' AS LowCardinality(String)) AS entity_kind, '' AS entity, * FROM ${s.database}.security_events`,
    `ALTER TABLE ${s.database}.security_entities ${s.onCluster}
      MODIFY COLUMN timestamp CODEC(Delta, ZSTD(1)), MODIFY COLUMN payload CODEC(ZSTD(3))`,
    securityEntitiesInsert(s, '1'),
  ],
}

/**
 * Event-store migration 10: the view that fills `security_entities` from every insert into
 * `security_events`. Until it, the writer filled them with a second statement per batch that read
 * the rows it had just inserted back by their ids (20,000 of them bound as a parameter, and chdb-node
 * runs statements with parameters one at a time): the largest single cost of storing a security
 * event in issue 15's profile. The view sees the inserted rows as they are written.
 */
export const securityEntitiesViewMigration: EventStoreMigration = {
  version: 10,
  name: 'security_entities filled by a materialized view on inserts into security_events',
  statements: (s) => [`CREATE MATERIALIZED VIEW IF NOT EXISTS ${s.database}.security_entities_mv ${s.onCluster} TO ${s.database}.security_entities AS ${securityEntityRows(s, '1')}`],
}

/** The hex key of an IPv6 value (IPv4 as mapped): what `entity` holds for the `ip` kind. */
const ipKey = (ip: string) => `hex(${ip})`

/**
 * The entity rows of the stored events matching `where` (a condition on `security_events`): each
 * event whole, once per entity, its columns named as `security_entities`' (a view writes by name).
 */
function securityEntityRows(store: Pick<EventStore, 'database'>, where: string): string {
  return `SELECT pair.1 AS entity_kind, pair.2 AS entity, * FROM ${store.database}.security_events
    ARRAY JOIN arrayConcat(
      arrayMap(x -> ('${SecurityEntityKinds.ip}', ${ipKey('x')}), arrayDistinct(arrayFilter(x -> x != toIPv6('::'), arrayPushFront(arrayMap(x -> toIPv6OrDefault(x), related_ip), source_ip)))),
      arrayMap(x -> ('${SecurityEntityKinds.user}', x), arrayDistinct(arrayFilter(x -> x != '', arrayConcat([user_name, user_id], related_user)))),
      if(session_id != '', [('${SecurityEntityKinds.session}', session_id)], [])) AS pair
    WHERE ${where}`
}

/**
 * Inserts the entity rows of the stored events matching `where`. Inserted by position (`*` in the
 * order of `security_events`), so a column added to `security_events` later must be added to
 * `security_entities` in the same migration; until it is, this insert fails on the column count
 * rather than mixing columns up.
 */
export function securityEntitiesInsert(store: Pick<EventStore, 'database'>, where: string): string {
  return `INSERT INTO ${store.database}.security_entities ${securityEntityRows(store, where)}`
}

/** An event the writer stored (or found stored): its project, id and time. */
export interface StoredEventKey {
  projectId: string
  event: { '@timestamp': string; event: { id: string } }
}

/**
 * Writes the entity rows of `events` from their stored rows. The security writer calls it with the
 * events of a redelivered batch it found stored already (the view fills those it inserts).
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
