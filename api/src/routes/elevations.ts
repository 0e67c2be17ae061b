/**
 * Just-in-time elevation: a member asks for a higher role on one project for up to a day, with a
 * reason; an admin (not the requester) approves or denies; the role applies until it expires by
 * itself. Every step is audited.
 */
import { randomUUID } from 'node:crypto'
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { getMembership, roleRank, type ElevationDoc } from '@faultline/core/accounts'
import { AuditActions, type AuditAction } from '@faultline/core/audit'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { requires, type ApiEnv } from '../permissions'
import { parseJsonBody, parseParam } from '../validation'
import { appendAudit } from '../services/audit-trail'

export const elevationBody = z
  .object({
    projectId: z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be a project number'),
    role: z.enum(['member', 'admin']),
    reason: z.string().trim().min(10, 'say why, in at least 10 characters').max(500),
    minutes: z.number().int().min(5).max(24 * 60),
  })
  .strict()
const elevationIdSchema = z.string().uuid('must be an elevation id')

export function elevationRoutes(platform: Platform): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const { elevations } = platform.accounts
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString())
  const view = (e: ElevationDoc) => ({ id: e._id, projectId: e.projectId, userId: e.userId, role: e.role, reason: e.reason, minutes: e.minutes, state: e.state, requestedAt: iso(e.requestedAt), decidedBy: e.decidedBy ?? null, expiresAt: iso(e.expiresAt) })
  const audit = (c: Context, action: AuditAction, e: ElevationDoc) =>
    appendAudit(platform.audit, platform.logger, c, { action, outcome: 'success', orgId: e.orgId, target: { type: 'user', id: e.userId }, detail: { projectId: e.projectId, role: e.role, minutes: e.minutes, reason: e.reason } })

  app.post('/orgs/:orgId/elevations', requires('elevation:request'), async (c) => {
    const { orgId, principal, role } = c.get('access')
    const user = principal!.user
    if (!user || !role) throw httpError(403, 'Only a member (not an organization token) can ask for elevation')
    const body = await parseJsonBody(c, elevationBody)
    const project = await platform.projects.projects.get(body.projectId)
    if (!project || project.orgId !== orgId) throw httpError(404, `No project ${body.projectId} in organization ${orgId}`)
    if (roleRank(body.role) <= roleRank(role) && !(project.teamIds?.length)) throw httpError(400, `You are ${role} already`)
    const doc: ElevationDoc = { _id: randomUUID(), orgId: orgId!, projectId: body.projectId, userId: user._id, role: body.role, reason: body.reason, minutes: body.minutes, state: 'pending', requestedAt: Date.now() }
    await elevations.insert(doc)
    await audit(c, AuditActions.elevationRequested, doc)
    return c.json(view(doc), 201)
  })

  app.get('/orgs/:orgId/elevations', requires('elevation:approve'), async (c) => {
    const docs = await elevations.find({ orgId: c.get('access').orgId! }, { sort: { field: 'requestedAt', direction: 'desc' }, limit: 500 })
    return c.json({ data: docs.map(view) })
  })

  const decide = (approve: boolean) => async (c: Context<ApiEnv>) => {
    const { orgId, principal, role } = c.get('access')
    const id = parseParam(c, 'elevationId', elevationIdSchema)
    const pending = await elevations.get(id)
    if (!pending || pending.orgId !== orgId) throw httpError(404, `No elevation request ${id}`)
    if (pending.userId === principal!.user?._id) throw httpError(403, 'Nobody approves their own elevation')
    if (approve && role && roleRank(pending.role) > roleRank(role)) throw httpError(403, `A ${role} cannot grant ${pending.role}`)
    if (!(await getMembership(platform.accounts, orgId!, pending.userId))) throw httpError(409, 'The requester is no longer a member')
    const now = Date.now()
    const decided = await elevations.findOneAndUpdate(
      { _id: id, state: 'pending' },
      { $set: { state: approve ? 'approved' : 'denied', decidedBy: principal!.user?._id ?? 'token', decidedAt: now, ...(approve && { expiresAt: now + pending.minutes * 60_000 }) } },
    )
    if (!decided) throw httpError(409, 'This request was decided already')
    await audit(c, approve ? AuditActions.elevationApproved : AuditActions.elevationDenied, decided)
    return c.json(view(decided))
  }

  app.post('/orgs/:orgId/elevations/:elevationId/approve', requires('elevation:approve'), decide(true))
  app.post('/orgs/:orgId/elevations/:elevationId/deny', requires('elevation:approve'), decide(false))

  return app
}
