/**
 * A security event as the detail flyout lists it: every field of the ECS document as a dotted
 * name (`source.geo.country_iso_code`, `attributes.attack.kind`) with its values, and what the
 * analyst may do with each: filter in or out (fields the query language knows), pivot (IPs, users,
 * sessions), copy.
 */
import { fieldSpec } from '$server/core/security/query/fields'
import type { SecurityEvent } from '$lib/api/security'

export interface EventField {
  field: string
  values: string[]
  /** The query language takes `field: value` for it. */
  queryable: boolean
}

/** The document's fields in its own order, attributes (free keys, flat) last; empty values left out. */
export function eventFields(event: SecurityEvent): EventField[] {
  const out: EventField[] = []
  const add = (field: string, value: unknown) => {
    const values = (Array.isArray(value) ? value : [value]).filter((v) => v !== undefined && v !== null && v !== '').map(String)
    if (values.length > 0) out.push({ field, values, queryable: field !== '@timestamp' && fieldSpec(field) !== undefined })
  }
  const walk = (prefix: string, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) for (const [key, inner] of Object.entries(value)) walk(prefix ? `${prefix}.${key}` : key, inner)
    else add(prefix, value)
  }
  for (const [key, value] of Object.entries(event)) {
    if (key === 'attributes') continue
    walk(key, value)
  }
  for (const [key, value] of Object.entries(event.attributes)) add(`attributes.${key}`, value)
  return out
}
