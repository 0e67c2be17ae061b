/** Message patterns: the templates mined from a project's events, and the events of one. */
import { Hono } from 'hono'
import { z } from 'zod'
import type { Platform } from '@faultline/core/platform'
import { projectScope, requires, type ApiEnv } from '../permissions'
import { parseParam, parseQuery } from '../validation'
import { StatsPeriods } from '../services/issue-queries'
import { listPatternEvents, listPatterns, PatternSorts, type PatternListParams } from '../services/pattern-queries'
import { requireProject } from './issues'

export const patternListQuery = z.object({
  sort: z.enum(Object.values(PatternSorts) as [string, ...string[]]).default(PatternSorts.count),
  stats: z.enum(Object.keys(StatsPeriods) as [string, ...string[]]).default('24h'),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
})

export const patternEventsQuery = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
})

const templateIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'must be a 16-hex template id')

export function patternRoutes(platform: Platform): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()

  app.get('/projects/:projectId/patterns', requires('intelligence:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    const query = parseQuery(c, patternListQuery)
    await requireProject(platform, projectId)
    return c.json(await listPatterns(platform, orgId, projectId, query as PatternListParams))
  })

  app.get('/projects/:projectId/patterns/:templateId/events', requires('intelligence:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    const templateId = parseParam(c, 'templateId', templateIdSchema)
    const query = parseQuery(c, patternEventsQuery)
    await requireProject(platform, projectId)
    return c.json(await listPatternEvents(platform, orgId, projectId, templateId, query))
  })

  return app
}
