/** Exception intelligence: anomaly scores, similar issues, issue clusters, forecasts, backtests, root-cause hints. */
import { Hono } from 'hono'
import { z } from 'zod'
import type { Platform } from '@faultline/core/platform'
import { httpError } from '@faultline/core/http'
import { backtestSeries, sharedIntelligenceModels, type IntelligenceModels } from '@faultline/intelligence'
import { projectScope, requires, type ApiEnv } from '../permissions'
import { issueIdSchema, parseJsonBody, parseParam, parseQuery, timeSchema } from '../validation'
import { requireProject } from './issues'
import { loadProjectIssues } from '../services/issue-actions'
import { anomalyScores, backtestLimits, csvPoints, forecastSeries, resolveSeries, storedPoints } from '../services/intelligence-series'
import { IssueSimilarity } from '../services/intelligence-similar'
import { rootCauseHints } from '../services/intelligence-root-cause'

const seriesSchema = z.enum(['project', 'issue'])
const sensitivitySchema = z.union([z.enum(['low', 'medium', 'high']), z.number().min(0).max(1)])
const dayMs = 86_400_000

export const anomaliesQuery = z.object({
  series: seriesSchema.default('project'),
  issueId: issueIdSchema.optional(),
  since: timeSchema.optional(),
  until: timeSchema.optional(),
})

export const similarQuery = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(5),
  minScore: z.coerce.number().min(-1).max(1).default(0.5),
})

export const clustersQuery = z.object({
  threshold: z.coerce.number().min(0).max(1).default(0.8),
  since: timeSchema.optional(),
})

export const forecastQuery = z.object({
  series: seriesSchema.default('project'),
  issueId: issueIdSchema.optional(),
  horizonMinutes: z.coerce.number().int().min(1).max(7 * 1440).default(60),
  threshold: z.coerce.number().nonnegative().optional(),
  resolution: z.enum(['minute', 'hour']).optional(),
})

export const backtestBody = z
  .object({
    csv: z.string().optional(),
    series: seriesSchema.optional(),
    issueId: issueIdSchema.optional(),
    since: timeSchema.optional(),
    until: timeSchema.optional(),
    sensitivity: sensitivitySchema.default('medium'),
  })
  .strict()
  .refine((b) => (b.csv === undefined) !== (b.series === undefined), { message: 'send either csv or series (project or issue), not both' })

/** The range [since, until] asked for, `defaultMs` back from now when since is absent, at most `maxMs` long. */
function timeRange(q: { since?: number; until?: number }, defaultMs: number, maxMs: number): { since: number; until: number } {
  const until = q.until ?? Date.now()
  const since = q.since ?? Math.max(0, until - defaultMs)
  if (since > until) throw httpError(400, 'since must not be after until')
  if (until - since > maxMs) throw httpError(400, `The range spans more than ${maxMs / dayMs} days`)
  return { since, until }
}

export function intelligenceRoutes(platform: Platform): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const similarity = new IssueSimilarity(platform)
  const models = (): Promise<IntelligenceModels> => sharedIntelligenceModels(platform.logger)

  app.get('/projects/:projectId/anomalies', requires('intelligence:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    await requireProject(platform, projectId)
    const q = parseQuery(c, anomaliesQuery)
    const target = await resolveSeries(platform, orgId, projectId, q.series, q.issueId)
    const { since, until } = timeRange(q, dayMs, 7 * dayMs)
    return c.json(await anomalyScores(platform, projectId, target, since, until))
  })

  app.get('/projects/:projectId/issues/:issueId/similar', requires('intelligence:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    await requireProject(platform, projectId)
    const [issue] = await loadProjectIssues(platform, orgId, projectId, [parseParam(c, 'issueId', issueIdSchema)])
    const q = parseQuery(c, similarQuery)
    return c.json(await similarity.similar((await models()).embedding, issue!, q.limit, q.minScore))
  })

  app.get('/projects/:projectId/issue-clusters', requires('intelligence:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    await requireProject(platform, projectId)
    const q = parseQuery(c, clustersQuery)
    return c.json(await similarity.clusters((await models()).embedding, orgId, projectId, q.since ?? Date.now() - dayMs, q.threshold))
  })

  app.get('/projects/:projectId/forecast', requires('intelligence:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    await requireProject(platform, projectId)
    const q = parseQuery(c, forecastQuery)
    const target = await resolveSeries(platform, orgId, projectId, q.series, q.issueId)
    return c.json(await forecastSeries(platform, projectId, target, q))
  })

  app.post('/projects/:projectId/backtest', requires('intelligence:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    await requireProject(platform, projectId)
    // JSON escaping may grow the CSV; its own size is checked after parsing.
    const body = await parseJsonBody(c, backtestBody, backtestLimits.csvBytes * 1.25)
    let points
    let source
    if (body.csv !== undefined) {
      points = csvPoints(body.csv)
      source = { kind: 'csv', points: points.length }
    } else {
      const target = await resolveSeries(platform, orgId, projectId, body.series!, body.issueId)
      const { since, until } = timeRange(body, dayMs, backtestLimits.storedMinutes * 60_000)
      points = await storedPoints(platform, projectId, target, since, until)
      source = { kind: target.kind, seriesId: target.id, since: new Date(since).toISOString(), until: new Date(until).toISOString() }
    }
    const result = await backtestSeries(points, (await models()).anomaly, body.sensitivity)
    return c.json({ source, sensitivity: body.sensitivity, ...result })
  })

  app.get('/projects/:projectId/issues/:issueId/root-cause', requires('intelligence:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    await requireProject(platform, projectId)
    const [issue] = await loadProjectIssues(platform, orgId, projectId, [parseParam(c, 'issueId', issueIdSchema)])
    return c.json(await rootCauseHints(platform, issue!))
  })

  return app
}
