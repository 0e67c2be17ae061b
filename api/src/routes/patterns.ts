/** Message patterns: the templates mined from a project's events, and the events of one. */
import { Hono } from 'hono'
import { z } from 'zod'
import type { Platform } from '@faultline/core/platform'
import { projectScope, requires, type ApiEnv } from '../permissions'
import { eventIdSchema, parseParam, parseQuery, templateIdSchema } from '../validation'
import { cursors } from '../services/cursor'
import { StatsPeriods } from '../services/issue-queries'
import { listPatternEvents, listPatterns, PatternSorts, type PatternListParams } from '../services/pattern-queries'
import { eventPattern } from '../services/pattern-directory'
import { requireProject } from './issues'

export const patternListQuery = z.object({
  sort: z.enum(Object.values(PatternSorts) as [string, ...string[]]).default(PatternSorts.count),
  stats: z.enum(Object.keys(StatsPeriods) as [string, ...string[]]).default('24h'),
  cursor: cursors.patterns.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
})

export const patternEventsQuery = z.object({
  cursor: cursors.events.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
})

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

  // Which template one event belongs to, followed through merges to the live template.
  app.get('/projects/:projectId/events/:eventId/pattern', requires('intelligence:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    const eventId = parseParam(c, 'eventId', eventIdSchema)
    await requireProject(platform, projectId)
    return c.json(await eventPattern(platform, orgId, projectId, eventId))
  })

  return app
}
