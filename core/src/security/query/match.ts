/** A parsed query evaluated on one event in memory: the detections' `where`, the same semantics as the SQL. */
import type { SecurityEvent } from '../security-event'
import { ipToBigInt, type Predicate } from './predicate'
import type { QueryNode } from './parse'

export function matchesQuery(query: QueryNode, event: SecurityEvent): boolean {
  switch (query.type) {
    case 'all':
      return true
    case 'and':
      return query.children.every((child) => matchesQuery(child, event))
    case 'or':
      return query.children.some((child) => matchesQuery(child, event))
    case 'not':
      return !matchesQuery(query.child, event)
    case 'text': {
      const needle = query.value.toLowerCase()
      return [event.message, event.url?.original].some((v) => v !== undefined && v.toLowerCase().includes(needle))
    }
    case 'term': {
      const value = query.spec.get(event)
      if (value === undefined) return false
      return Array.isArray(value) ? value.some((v) => matchesValue(query.predicate, v)) : matchesValue(query.predicate, value)
    }
  }
}

function matchesValue(predicate: Predicate, value: string | number): boolean {
  switch (predicate.kind) {
    case 'equals':
      return String(value) === predicate.value
    case 'wildcard':
      return predicate.regex.test(String(value))
    case 'contains':
      return String(value).toLowerCase().includes(predicate.value)
    case 'ipRange': {
      const n = ipToBigInt(String(value))
      return n !== undefined && n >= predicate.low && n <= predicate.high
    }
    case 'compare': {
      const n = Number(value)
      switch (predicate.op) {
        case ':':
          return n === predicate.value
        case '>':
          return n > predicate.value
        case '>=':
          return n >= predicate.value
        case '<':
          return n < predicate.value
        case '<=':
          return n <= predicate.value
      }
    }
  }
}
