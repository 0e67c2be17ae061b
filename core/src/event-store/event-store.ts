/**
 * The event store port: one `@clickhouse/client` API over either the in-process chDB engine
 * (`chdb/connection`) or a ClickHouse server. Every statement is written once and runs on both.
 */
import { availableParallelism } from 'node:os'
import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client'
import { EventStoreError } from '../errors'
import { ChdbConnectionPool } from './chdb-connections'

export interface EventStoreConfig {
  url?: string
  user: string
  password: string
  database: string
  cluster?: string
  chdbPath: string
}

export interface EventStore {
  readonly kind: 'chdb' | 'server'
  readonly client: ClickHouseClient
  /** Database holding Faultline's tables; statements qualify table names with it. */
  readonly database: string
  /** `ON CLUSTER x` for DDL when a cluster is configured, else ''. */
  readonly onCluster: string
  ping(): Promise<void>
  close(): Promise<void>
}

/**
 * Settings both engines get, so results have one shape: 64-bit integers as JSON numbers (counts
 * stay far below 2^53), and dates in UTC. A lone UTF-16 surrogate (`"\ud800"`) is valid JSON that
 * ingest accepts, but ClickHouse refuses its escape by default, and with it the whole insert: the
 * batch holding it was retried, then dead-lettered, though every event in it was acknowledged. It
 * is kept as written instead.
 */
const sharedSettings: ClickHouseSettings = {
  output_format_json_quote_64bit_integers: 0,
  date_time_output_format: 'iso',
  session_timezone: 'UTC',
  input_format_json_throw_on_bad_escape_sequence: 0,
}

export async function createEventStore(config: EventStoreConfig): Promise<EventStore> {
  const client = config.url
    ? createClient({
        url: config.url,
        username: config.user,
        password: config.password,
        clickhouse_settings: sharedSettings,
        request_timeout: 60_000,
      })
    : await createChdbClient(config.chdbPath)
  const store: EventStore = {
    kind: config.url ? 'server' : 'chdb',
    client,
    database: config.database,
    onCluster: config.cluster ? `ON CLUSTER ${config.cluster}` : '',
    async ping() {
      const result = await client.ping()
      if (!result.success) throw new EventStoreError('unavailable', 'ClickHouse ping failed', { cause: result.error })
    },
    close: () => client.close(),
  }
  try {
    await store.ping()
  } catch (cause) {
    await client.close()
    const where = config.url ? `CLICKHOUSE_URL=${redactUrl(config.url)}` : `chDB at ${config.chdbPath}`
    throw new EventStoreError('unavailable', `cannot reach the event store (${where})`, { cause })
  }
  return store
}

/** chDB connections on the data directory: one per core, up to four (see chdb-connections.ts). */
const chdbConnections = Math.min(4, Math.max(2, availableParallelism()))

async function createChdbClient(path: string): Promise<ClickHouseClient> {
  const { mkdirSync } = await import('node:fs')
  mkdirSync(path, { recursive: true })
  // chdb is loaded only in the embedded profile: its engine is a 500 MB shared library.
  const { createChdbConnection } = await import('chdb/connection')
  const connections = Array.from({ length: chdbConnections }, () => createChdbConnection({ path }))
  return createClient({
    connection: new ChdbConnectionPool(connections, sharedSettings),
    clickhouse_settings: sharedSettings,
  } as Parameters<typeof createClient>[0])
}

function redactUrl(url: string): string {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = 'redacted'
  return parsed.toString()
}
