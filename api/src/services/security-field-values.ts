/**
 * The most frequent values of one field of the query language in a project's time range, those
 * starting with a prefix (case-insensitive), with their counts: what the timeline's query box
 * suggests after `field:`. Cost is bounded by the time range (required by the route, at most 400
 * days), a LIMIT, and the column coming from the field table only; the field name and prefix are
 * bound or checked, never written into SQL.
 */
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { fieldSpec, severityLevels, type FieldSpec } from '@faultline/core/security'
import type { TimeRange } from './security-timeline'

export interface FieldValues {
  field: string
  values: { value: string; count: number }[]
}

/** The value expression of a field, as text, and a condition leaving out "none" (empty strings, port 0, `::`). */
function valueExpression(spec: FieldSpec): { select: string; arrayJoin?: string; present: string } {
  const column = spec.attribute !== undefined ? `${spec.column}[{attribute:String}]` : spec.column
  switch (spec.kind) {
    case 'keywords':
    case 'ips':
      return { select: 'v', arrayJoin: `ARRAY JOIN ${column} AS v`, present: "v != ''" }
    case 'ip':
      return { select: `if(startsWith(IPv6NumToString(${column}), '::ffff:') AND position(IPv6NumToString(${column}), '.') > 0, substring(IPv6NumToString(${column}), 8), IPv6NumToString(${column}))`, present: `${column} != toIPv6('::')` }
    case 'number':
      return { select: `toString(${column})`, present: `${column} != 0` }
    case 'severity':
      return { select: `toString(${column})`, present: '1' }
    default:
      return { select: `toString(${column})`, present: `${column} != ''` }
  }
}

export async function securityFieldValues(platform: Platform, projectId: string, field: string, prefix: string, range: TimeRange, limit: number): Promise<FieldValues> {
  const spec = field === '@timestamp' ? undefined : fieldSpec(field)
  if (!spec) throw httpError(400, `Unknown field ${JSON.stringify(field.slice(0, 64))}: use a field of the query language or attributes.<key>`)
  if (spec.kind === 'severity') return { field, values: await severityValues(platform, projectId, prefix, range) }
  const { select, arrayJoin, present } = valueExpression(spec)
  const { client, database } = platform.eventStore
  const result = await client.query({
    query: `SELECT value, count() AS n FROM (
        SELECT ${select} AS value FROM ${database}.security_events ${arrayJoin ?? ''}
        WHERE project_id = {project:UInt64} AND timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND timestamp < fromUnixTimestamp64Milli({to:Int64}) AND ${present}
      )
      WHERE {prefix:String} = '' OR positionCaseInsensitiveUTF8(value, {prefix:String}) = 1
      GROUP BY value ORDER BY n DESC, value LIMIT {limit:UInt32}`,
    query_params: { project: Number(projectId), from: range.from, to: range.to, prefix, limit, ...(spec.attribute !== undefined && { attribute: spec.attribute }) },
    format: 'JSONEachRow',
  })
  return { field, values: (await result.json<{ value: string; n: number }>()).map((r) => ({ value: r.value, count: Number(r.n) })) }
}

/** Severities are stored as ranks; suggested by name, which is what the language takes. */
async function severityValues(platform: Platform, projectId: string, prefix: string, range: TimeRange): Promise<FieldValues['values']> {
  const { client, database } = platform.eventStore
  const result = await client.query({
    query: `SELECT severity AS rank, count() AS n FROM ${database}.security_events
      WHERE project_id = {project:UInt64} AND timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND timestamp < fromUnixTimestamp64Milli({to:Int64})
      GROUP BY rank ORDER BY n DESC, rank`,
    query_params: { project: Number(projectId), from: range.from, to: range.to },
    format: 'JSONEachRow',
  })
  return (await result.json<{ rank: number; n: number }>())
    .map((r) => ({ value: severityLevels[Number(r.rank)] ?? String(r.rank), count: Number(r.n) }))
    .filter((v) => v.value.toLowerCase().startsWith(prefix.toLowerCase()))
}
