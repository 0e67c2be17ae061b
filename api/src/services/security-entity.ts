/**
 * Which single entity (one IP, user or session) every match of a query concerns, if one does: a
 * search for it then reads that entity's rows of `security_entities` (event-store migration 9,
 * whole events ordered by entity and time) instead of `security_events`, whose granules the
 * entity's events are scattered over. The query's own condition still decides each row, so the
 * entity only narrows the read, never the meaning.
 */
import type { SecurityEntityKind } from '@faultline/core/event-store'
import type { QueryNode } from '@faultline/core/security'

export interface EntityKey {
  kind: SecurityEntityKind
  entity: string
}

/** The fields whose every value is an entity row of its kind (see `securityEntitiesInsert`). */
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
 * The entity that every event matching `query` has among its entity rows, or undefined. A term
 * naming one value of an entity field has it (the entity rows leave out `::` and empty values, so
 * those never count); an AND has it when any child has; an OR when all children have the same.
 */
export function queryEntity(query: QueryNode): EntityKey | undefined {
  switch (query.type) {
    case 'term': {
      const kind = entityFields[query.field]
      if (!kind) return undefined
      const p = query.predicate
      if (p.kind === 'equals' && p.value !== '') return { kind, entity: p.value }
      if (p.kind === 'ipRange' && p.low === p.high && p.low !== 0n) return { kind, entity: ipEntityKey(p.low) }
      return undefined
    }
    case 'and':
      for (const child of query.children) {
        const key = queryEntity(child)
        if (key) return key
      }
      return undefined
    case 'or': {
      const keys = query.children.map(queryEntity)
      const first = keys[0]
      return first && keys.every((k) => k?.kind === first.kind && k.entity === first.entity) ? first : undefined
    }
    default:
      return undefined
  }
}
