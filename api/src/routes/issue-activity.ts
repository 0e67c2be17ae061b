/** An issue's activity and comments, assignment (one issue or many), and moving between its events. */
import { Hono } from 'hono'
import { z } from 'zod'
import { ActivityKinds, maxCommentLength, recordActivity } from '@faultline/core/issues'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { requires, type ApiEnv } from '../permissions'
import { eventIdSchema, issueIdSchema, parseJsonBody, parseParam, parseQuery } from '../validation'
import { loadProjectIssues } from '../services/issue-actions'
import { activityView, actorOf, assignableUsers, checkAssignable } from '../services/issue-activity'
import { issueView } from '../services/issue-views'
import { eventNeighbours } from '../services/event-navigation'
import { attachAssignees } from '../services/issue-search'

const userIdSchema = z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be a user number')
const activityIdSchema = z.string().uuid('must be an activity id')
export const commentBody = z.object({ text: z.string().trim().min(1).max(maxCommentLength) }).strict()
export const assignBody = z.object({ ids: z.array(issueIdSchema).min(1).max(1000), assigneeId: userIdSchema.nullable() }).strict()
export const activityQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(200) })

export function issueActivityRoutes(platform: Platform): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const issueOf = async (project: { _id: string; orgId: string }, issueId: string) => (await loadProjectIssues(platform, project.orgId, project._id, [issueId]))[0]!

  app.get('/projects/:projectId/issues/:issueId/activity', requires('issues:read'), async (c) => {
    const project = c.get('access').project!
    const issue = await issueOf(project, parseParam(c, 'issueId', issueIdSchema))
    const { limit } = parseQuery(c, activityQuery)
    const docs = await platform.issues.activity.find(project.orgId, { projectId: project._id, issueId: issue._id }, { sort: { field: 'at', direction: 'desc' }, limit })
    return c.json({ data: docs.map(activityView) })
  })

  app.post('/projects/:projectId/issues/:issueId/comments', requires('issues:write'), async (c) => {
    const project = c.get('access').project!
    const issue = await issueOf(project, parseParam(c, 'issueId', issueIdSchema))
    const { text } = await parseJsonBody(c, commentBody, 64 * 1024)
    const [doc] = await recordActivity(platform.issues.activity, project.orgId, [{ projectId: project._id, issueId: issue._id, kind: ActivityKinds.comment, actor: actorOf(c), data: { text } }])
    return c.json(activityView(doc!), 201)
  })

  app.delete('/projects/:projectId/issues/:issueId/comments/:commentId', requires('issues:write'), async (c) => {
    const { project, role } = c.get('access')
    const issueId = parseParam(c, 'issueId', issueIdSchema)
    const commentId = parseParam(c, 'commentId', activityIdSchema)
    const doc = await platform.issues.activity.get(project!.orgId, commentId)
    if (!doc || doc.projectId !== project!._id || doc.issueId !== issueId || doc.kind !== ActivityKinds.comment) throw httpError(404, `No comment ${commentId} on issue ${issueId}`)
    const mine = doc.actor.type === actorOf(c).type && doc.actor.id === actorOf(c).id
    if (!mine && role !== 'owner' && role !== 'admin') throw httpError(403, 'Only the author or an administrator may delete a comment')
    await platform.issues.activity.deleteMany(project!.orgId, { _id: doc._id })
    return c.body(null, 204)
  })

  app.get('/projects/:projectId/issues/:issueId/events/:eventId/neighbours', requires('events:read'), async (c) => {
    const project = c.get('access').project!
    const issue = await issueOf(project, parseParam(c, 'issueId', issueIdSchema))
    const eventId = parseParam(c, 'eventId', eventIdSchema)
    const neighbours = await eventNeighbours(platform, issue, eventId)
    if (!neighbours) throw httpError(404, `No event ${eventId} in issue ${issue._id}`)
    return c.json(neighbours)
  })

  app.get('/projects/:projectId/assignees', requires('issues:read'), async (c) => {
    const users = await assignableUsers(platform, c.get('access').project!)
    return c.json({ data: users.map((u) => ({ id: u._id, email: u.email, name: u.name })) })
  })

  app.post('/projects/:projectId/issues/assign', requires('issues:write'), async (c) => {
    const project = c.get('access').project!
    const { ids, assigneeId } = await parseJsonBody(c, assignBody)
    const issues = await loadProjectIssues(platform, project.orgId, project._id, ids)
    if (assigneeId !== null) await checkAssignable(platform, project, assigneeId)
    const update = assigneeId === null ? { $unset: ['assigneeId'] } : { $set: { assigneeId } }
    const actor = actorOf(c)
    const changed = issues.filter((i) => (i.assigneeId ?? null) !== assigneeId)
    const updated = []
    for (const issue of issues) updated.push((await platform.issues.issues.findOneAndUpdate(project.orgId, { _id: issue._id }, update))!)
    await recordActivity(
      platform.issues.activity,
      project.orgId,
      changed.map((i) => ({ projectId: project._id, issueId: i._id, kind: ActivityKinds.assigned, actor, data: { assigneeId, previous: i.assigneeId ?? null } })),
    )
    const views = updated.map(issueView)
    await attachAssignees(platform, views)
    return c.json({ data: views })
  })

  return app
}
