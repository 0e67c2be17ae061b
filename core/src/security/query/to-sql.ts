/**
 * A parsed query as a ClickHouse condition on `security_events`, with every value bound as a
 * parameter (`{q0:String}`...): nothing the user typed is ever part of the SQL text. Column names
 * come from the field table only.
 */
import { bigIntToIpv6, type Predicate } from './predicate'
import type { QueryNode } from './parse'

export interface SqlCondition {
  sql: string
  params: Record<string, unknown>
}

export function queryToSql(query: QueryNode, prefix = 'q'): SqlCondition {
  const params: Record<string, unknown> = {}
  let n = 0
  const bind = (value: unknown, type: string): string => {
    const name = `${prefix}${n++}`
    params[name] = value
    return `{${name}:${type}}`
  }
  const walk = (node: QueryNode): string => {
    switch (node.type) {
      case 'all':
        return '1'
      case 'and':
        return `(${node.children.map(walk).join(' AND ')})`
      case 'or':
        return `(${node.children.map(walk).join(' OR ')})`
      case 'not':
        return `NOT ${walk(node.child)}`
      case 'text': {
        const p = bind(node.value, 'String')
        return `(positionCaseInsensitiveUTF8(message, ${p}) > 0 OR positionCaseInsensitiveUTF8(url, ${p}) > 0)`
      }
      case 'term': {
        const column = node.spec.attribute !== undefined ? `${node.spec.column}[${bind(node.spec.attribute, 'String')}]` : node.spec.column
        const array = node.spec.kind === 'keywords' || node.spec.kind === 'ips'
        const condition = (x: string) => predicateSql(node.predicate, x, node.spec.kind === 'ip', bind)
        return array ? `arrayExists(x -> ${condition('x')}, ${column})` : condition(column)
      }
    }
  }
  return { sql: walk(query), params }
}

function predicateSql(predicate: Predicate, column: string, ipColumn: boolean, bind: (value: unknown, type: string) => string): string {
  switch (predicate.kind) {
    case 'equals':
      return `${column} = ${bind(predicate.value, 'String')}`
    case 'wildcard':
      return predicate.like.startsWith('%') ? `${column} ILIKE ${bind(predicate.like, 'String')}` : `${column} LIKE ${bind(predicate.like, 'String')}`
    case 'contains':
      return `positionCaseInsensitiveUTF8(${column}, ${bind(predicate.value, 'String')}) > 0`
    case 'ipRange': {
      const [low, high] = [bind(bigIntToIpv6(predicate.low), 'String'), bind(bigIntToIpv6(predicate.high), 'String')]
      // An IPv6 column compares as a number; strings (related.ip) are parsed, bad ones never match.
      const value = ipColumn ? column : `toIPv6OrDefault(${column})`
      return predicate.low === predicate.high ? `${value} = toIPv6(${low})` : `${value} BETWEEN toIPv6(${low}) AND toIPv6(${high})`
    }
    case 'compare': {
      const op = predicate.op === ':' ? '=' : predicate.op
      return `${column} ${op} ${bind(predicate.value, 'Int64')}`
    }
  }
}

/**
 * Whether the query reads only `columns` (no free text, no attributes): such a query's condition
 * also runs on a rollup table that has those columns under the same names.
 */
export function queryUsesOnlyColumns(query: QueryNode, columns: readonly string[]): boolean {
  switch (query.type) {
    case 'all':
      return true
    case 'text':
      return false
    case 'not':
      return queryUsesOnlyColumns(query.child, columns)
    case 'and':
    case 'or':
      return query.children.every((child) => queryUsesOnlyColumns(child, columns))
    case 'term':
      return query.spec.attribute === undefined && columns.includes(query.spec.column)
  }
}
