/**
 * Which entities (one IP, user or session, or a range of IPs) every match of a query concerns, if
 * any: a search for them can then read their rows of `security_entities` (event-store migration 9,
 * whole events ordered by entity and time) instead of `security_events`, whose granules the
 * entities' events are scattered over. The query's own condition still decides each row, so the
 * entities only narrow the read, never the meaning.
 */
import type { SecurityEntityKind } from '@faultline/core/event-store'
import type { QueryNode } from '@faultline/core/security'

/** Entity keys from `low` to `high` (the same for one entity). */
export interface EntityKeys {
  kind: SecurityEntityKind
  low: string
  high: string
}

/** The fields whose every value is an entity row of its kind (the rows `core/src/event-store/security-entities.ts` writes: by the view since migration 10, and for repairs). */
const entityFields: Record<string, SecurityEntityKind> = {
  'source.ip': 'ip',
  'related.ip': 'ip',
  'user.name': 'user',
  'user.id': 'user',
  'related.user': 'user',
  'session.id': 'session',
}

/** The entity key of an IP given as a 128-bit number (IPv4 mapped): 32 upper-case hex digits, as ClickHouse's `hex(IPv6)`. */
export const ipEntityKey = (ip: bigint) => ip.toString(16).toUpperCase().padStart(32, '0')

/**
 * The entity keys among which every event matching `query` has an entity row, or undefined. A term
 * naming a value or an IP range of an entity field has them (the entity rows leave out `::` and
 * empty values, so those never count); an AND has them when any child has (the first such child);
 * an OR when all children have the same.
 */
export function queryEntities(query: QueryNode): EntityKeys | undefined {
  switch (query.type) {
    case 'term': {
      const kind = entityFields[query.field]
      if (!kind) return undefined
      const p = query.predicate
      if (p.kind === 'equals' && p.value !== '') return { kind, low: p.value, high: p.value }
      if (p.kind === 'ipRange' && p.low !== 0n) return { kind, low: ipEntityKey(p.low), high: ipEntityKey(p.high) }
      return undefined
    }
    case 'and':
      for (const child of query.children) {
        const keys = queryEntities(child)
        if (keys) return keys
      }
      return undefined
    case 'or': {
      const keys = query.children.map(queryEntities)
      const first = keys[0]
      return first && keys.every((k) => k?.kind === first.kind && k.low === first.low && k.high === first.high) ? first : undefined
    }
    default:
      return undefined
  }
}
