/**
 * Reads the dashboard's screens need beyond the general API: what the search box suggests (the
 * tag keys a project's events carry, the most common values of a key, from recent events), and an
 * issue's event rate with anomaly scores and forecast band for the issue page's chart.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import type { Platform } from '@faultline/core/platform'
import { requires, type ApiEnv } from '../permissions'
import { issueIdSchema, parseParam, parseQuery } from '../validation'
import { eventValueSql } from '../services/issue-search'
import { issueRate, RateRanges, type RateRange } from '../services/issue-rate'
import { loadProjectIssues } from '../services/issue-actions'

const dayMs = 86_400_000
const since = z.coerce.number().int().nonnegative().optional().describe('ms; default 14 days ago')
export const tagKeysQuery = z.object({ since, limit: z.coerce.number().int().min(1).max(200).default(50) })
export const tagValuesQuery = z.object({ since, prefix: z.string().max(200).default(''), limit: z.coerce.number().int().min(1).max(100).default(20) })
export const issueRateQuery = z.object({ range: z.enum(Object.keys(RateRanges) as [RateRange, ...RateRange[]]).default('24h') })
const keySchema = z.string().regex(/^[A-Za-z_][\w.-]{0,199}$/, 'must be a tag key')

export function dashboardSearchRoutes(platform: Platform): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()

  app.get('/projects/:projectId/tag-keys', requires('issues:read'), async (c) => {
    const project = c.get('access').project!
    const q = parseQuery(c, tagKeysQuery)
    const { client, database } = platform.eventStore
    const result = await client.query({
      query: `SELECT key, count() AS events FROM ${database}.error_events ARRAY JOIN mapKeys(tags) AS key
              WHERE project_id = {project:UInt64} AND timestamp >= fromUnixTimestamp64Milli({since:Int64})
              GROUP BY key ORDER BY events DESC, key LIMIT {limit:UInt32}`,
      query_params: { project: Number(project._id), since: q.since ?? Date.now() - 14 * dayMs, limit: q.limit },
      format: 'JSONEachRow',
    })
    const rows = await result.json<{ key: string; events: string | number }>()
    return c.json({ data: rows.map((r) => ({ key: r.key, count: Number(r.events) })) })
  })

  app.get('/projects/:projectId/tag-keys/:key/values', requires('issues:read'), async (c) => {
    const project = c.get('access').project!
    const key = parseParam(c, 'key', keySchema)
    const q = parseQuery(c, tagValuesQuery)
    const params: Record<string, unknown> = { project: Number(project._id), since: q.since ?? Date.now() - 14 * dayMs, limit: q.limit, prefix: q.prefix.toLowerCase() }
    const value = eventValueSql(key, params, 'key')
    const { client, database } = platform.eventStore
    const result = await client.query({
      query: `SELECT ${value} AS value, count() AS events FROM ${database}.error_events
              WHERE project_id = {project:UInt64} AND timestamp >= fromUnixTimestamp64Milli({since:Int64})
                AND value != '' AND startsWith(lower(value), {prefix:String})
              GROUP BY value ORDER BY events DESC, value LIMIT {limit:UInt32}`,
      query_params: params,
      format: 'JSONEachRow',
    })
    const rows = await result.json<{ value: string; events: string | number }>()
    return c.json({ data: rows.map((r) => ({ value: r.value, count: Number(r.events) })) })
  })

  app.get('/projects/:projectId/issues/:issueId/rate', requires('intelligence:read'), async (c) => {
    const project = c.get('access').project!
    const [issue] = await loadProjectIssues(platform, project.orgId, project._id, [parseParam(c, 'issueId', issueIdSchema)])
    const { range } = parseQuery(c, issueRateQuery)
    return c.json(await issueRate(platform, issue!, range))
  })

  return app
}
