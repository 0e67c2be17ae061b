/** Issue routes: list, detail, events, bulk status, merge, delete. */
import { Hono } from 'hono'
import { z } from 'zod'
import type { Platform } from '@faultline/core/platform'
import { httpError } from '@faultline/core/http'
import { projectScope, requires, type ApiEnv } from '../permissions'
import { eventIdSchema, issueIdSchema, parseJsonBody, parseParam, parseQuery, projectIdSchema, timeSchema } from '../validation'
import { cursors } from '../services/cursor'
import { issueTags, latestEvent, getEvent, listIssueEvents, listIssues, IssueSorts, StatsPeriods, type StatsPeriod } from '../services/issue-queries'
import { changeStatus, deleteIssue, loadProjectIssues, mergeIssues } from '../services/issue-actions'
import { issueView } from '../services/issue-views'
import { recordMerge, recordStatusChanges } from '../services/issue-activity'
import { assigneeFilter, decorateIssueRows, issuesMatchingTags, parseTagFilters } from '../services/issue-search'

export { projectIdSchema }

export const issueListQuery = z.object({
  status: z.enum(['unresolved', 'resolved', 'resolved_in_next_release', 'ignored', 'all']).default('unresolved'),
  level: z.enum(['fatal', 'error', 'warning', 'info', 'debug']).optional(),
  environment: z.string().max(200).optional(),
  release: z.string().max(200).optional(),
  since: timeSchema.optional(),
  until: timeSchema.optional(),
  query: z.string().max(200).optional(),
  sort: z.enum(Object.values(IssueSorts) as [string, ...string[]]).default('last_seen'),
  cursor: cursors.issues.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  stats: z.enum(Object.keys(StatsPeriods) as [string, ...string[]]).optional(),
  tag: z.string().max(400).optional().describe('key:value on an event tag or user field (user.email, user.id, ...); repeat for more, all must match'),
  assigned: z.string().max(20).optional().describe('me, none, or a user id'),
})

export const statusChangeBody = z.discriminatedUnion('status', [
  z.object({ ids: z.array(issueIdSchema).min(1).max(1000), status: z.literal('resolved') }),
  z.object({ ids: z.array(issueIdSchema).min(1).max(1000), status: z.literal('resolved_in_next_release') }),
  z.object({ ids: z.array(issueIdSchema).min(1).max(1000), status: z.literal('unresolved') }),
  z.object({
    ids: z.array(issueIdSchema).min(1).max(1000),
    status: z.literal('ignored'),
    ignore: z
      .object({
        forMinutes: z.number().int().positive().max(525_600 * 10).optional(),
        untilTime: z.number().int().positive().optional(),
        untilEventCount: z.number().int().positive().optional(),
        untilUserCount: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
  }),
])

export const mergeBody = z.object({ ids: z.array(issueIdSchema).min(2).max(100), into: issueIdSchema.optional() })
const pageQuery = z.object({ cursor: cursors.events.optional(), limit: z.coerce.number().int().min(1).max(100).default(25) })

export function issueRoutes(platform: Platform): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()

  app.get('/projects/:projectId/issues', requires('issues:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    const q = parseQuery(c, issueListQuery)
    const tags = parseTagFilters(c)
    const issueIds = tags.length > 0 ? await issuesMatchingTags(platform, orgId, projectId, tags, q.since, q.until) : undefined
    const assigneeId = assigneeFilter(q.assigned, c.get('access').principal!)
    const page = await listIssues(platform, orgId, projectId, { ...q, issueIds, assigneeId } as Parameters<typeof listIssues>[3])
    await decorateIssueRows(platform, projectId, page.data, q.stats as StatsPeriod | undefined)
    return c.json(page)
  })

  app.put('/projects/:projectId/issues', requires('issues:write'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    const body = await parseJsonBody(c, statusChangeBody)
    const { ids, ...change } = body
    const before = await loadProjectIssues(platform, orgId, projectId, ids)
    const updated = await changeStatus(platform, orgId, projectId, ids, change)
    await recordStatusChanges(platform, c, orgId, before, updated)
    return c.json({ data: updated.map(issueView) })
  })

  app.post('/projects/:projectId/issues/merge', requires('issues:write'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    const body = await parseJsonBody(c, mergeBody)
    const survivor = await mergeIssues(platform, orgId, projectId, body.ids, body.into)
    await recordMerge(platform, c, survivor, body.ids)
    return c.json(issueView(survivor))
  })

  app.get('/projects/:projectId/issues/:issueId', requires('issues:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    const [issue] = await loadProjectIssues(platform, orgId, projectId, [parseParam(c, 'issueId', issueIdSchema)])
    const [latest, tags] = await Promise.all([latestEvent(platform, issue!), issueTags(platform, issue!)])
    return c.json({ ...issueView(issue!), latestEvent: latest, tags })
  })

  app.get('/projects/:projectId/issues/:issueId/events', requires('events:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    const [issue] = await loadProjectIssues(platform, orgId, projectId, [parseParam(c, 'issueId', issueIdSchema)])
    return c.json(await listIssueEvents(platform, issue!, parseQuery(c, pageQuery)))
  })

  app.delete('/projects/:projectId/issues/:issueId', requires('events:write'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    await deleteIssue(platform, orgId, projectId, parseParam(c, 'issueId', issueIdSchema))
    return c.body(null, 204)
  })

  app.get('/projects/:projectId/events/:eventId', requires('events:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    const eventId = parseParam(c, 'eventId', eventIdSchema)
    const event = await getEvent(platform, orgId, projectId, eventId)
    if (!event) throw httpError(404, `No event ${eventId} in project ${projectId}`)
    return c.json(event)
  })

  return app
}

export async function requireProject(platform: Pick<Platform, 'projects'>, projectId: string): Promise<void> {
  if (!(await platform.projects.projects.get(projectId))) throw httpError(404, `No project ${projectId}`)
}
