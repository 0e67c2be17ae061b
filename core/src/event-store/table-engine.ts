import type { EventStore } from './event-store'

/** Engine clause: the Replicated variant when a cluster is configured. */
export function engine(store: EventStore, name: string, args = ''): string {
  if (!store.onCluster) return `${name}(${args})`
  const replicated = `'/clickhouse/tables/{shard}/${store.database}/{table}', '{replica}'`
  return `Replicated${name}(${args ? `${replicated}, ${args}` : replicated})`
}

