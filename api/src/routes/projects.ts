/** Organizations and projects: listings, creation, details, DSN keys and outcome statistics. */
import { Hono } from 'hono'
import { z } from 'zod'
import type { Platform } from '@faultline/core/platform'
import { createProject, formatDsn, ProjectPlatforms, type ProjectDoc } from '@faultline/core/projects'
import type { OutcomeDoc } from '@faultline/core/outcomes'
import type { TenantCollection } from '@faultline/core/tenancy'
import { httpError } from '@faultline/core/http'
import { projectScope, requires, type ApiEnv } from '../permissions'
import { parseJsonBody, parseQuery, sluggedNameSchema } from '../validation'
import { principalOrganizations, principalProjects, requireTeams } from '../services/directory'

const outcomesQuery = z.object({
  since: z.coerce.number().int().nonnegative().optional(),
  until: z.coerce.number().int().nonnegative().optional(),
})

const idSchema = z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be a number')
const platformSchema = z.enum(Object.values(ProjectPlatforms))
export const newProjectBody = z.object({ name: sluggedNameSchema, teamIds: z.array(idSchema).max(100).optional(), platform: platformSchema.optional() }).strict()
export const projectChangeBody = z.object({ name: z.string().trim().min(1).max(100).optional(), teamIds: z.array(idSchema).max(100).optional(), platform: platformSchema.optional() }).strict()

const projectView = (p: ProjectDoc) => ({ id: p._id, orgId: p.orgId, name: p.name, slug: p.slug, teamIds: p.teamIds ?? [], platform: p.platform ?? null, createdAt: new Date(p.createdAt).toISOString() })

export function projectRoutes(platform: Platform, outcomes: TenantCollection<OutcomeDoc>, publicUrl: string): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()

  app.get('/orgs', requires('account:read'), async (c) => {
    const orgs = await principalOrganizations(platform, c.get('access').principal!)
    return c.json({ data: orgs.map((o) => ({ id: o._id, name: o.name, slug: o.slug, mfaRequired: o.mfaRequired })) })
  })

  app.get('/projects', requires('account:read'), async (c) => {
    const projects = await principalProjects(platform, c.get('authorizer'), c.get('access').principal!)
    return c.json({ data: projects.map(projectView) })
  })

  app.post('/orgs/:orgId/projects', requires('projects:write'), async (c) => {
    const orgId = c.get('access').orgId!
    const body = await parseJsonBody(c, newProjectBody)
    await requireTeams(platform, orgId, body.teamIds)
    const { project, key } = await createProject(platform.projects, orgId, body.name).catch((error: unknown) => {
      throw conflictOnDuplicate(error, `A project named like ${JSON.stringify(body.name)} exists`)
    })
    const settings = { ...(body.teamIds?.length && { teamIds: body.teamIds }), ...(body.platform && { platform: body.platform }) }
    if (Object.keys(settings).length > 0) await platform.projects.projects.updateMany({ _id: project._id }, { $set: settings })
    return c.json({ ...projectView({ ...project, ...settings }), dsn: formatDsn(publicUrl, key) }, 201)
  })

  app.get('/projects/:projectId', requires('projects:read'), (c) => c.json(projectView(c.get('access').project!)))

  app.patch('/projects/:projectId', requires('projects:write'), async (c) => {
    const project = c.get('access').project!
    const body = await parseJsonBody(c, projectChangeBody)
    await requireTeams(platform, project.orgId, body.teamIds)
    const updated = await platform.projects.projects.findOneAndUpdate({ _id: project._id, orgId: project.orgId }, { $set: body }).catch((error: unknown) => {
      throw conflictOnDuplicate(error, `A project named like ${JSON.stringify(body.name)} exists`)
    })
    return c.json(projectView(updated!))
  })

  app.get('/projects/:projectId/stats/outcomes', requires('projects:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    const { since, until } = parseQuery(c, outcomesQuery)
    const filter: Record<string, unknown> = { projectId }
    const hour: Record<string, number> = {}
    if (since !== undefined) hour.$gte = Math.floor(since / 3_600_000) * 3_600_000
    if (until !== undefined) hour.$lte = until
    if (Object.keys(hour).length > 0) filter.hour = hour
    const docs = await outcomes.find(orgId, filter as Parameters<typeof outcomes.find>[1], { sort: { field: 'hour', direction: 'asc' }, limit: 10_000 })
    const totals = new Map<string, { category: string; outcome: string; reason: string; quantity: number }>()
    for (const doc of docs) {
      const key = `${doc.category}:${doc.outcome}:${doc.reason}`
      const total = totals.get(key)
      if (total) total.quantity += doc.quantity
      else totals.set(key, { category: doc.category, outcome: doc.outcome, reason: doc.reason, quantity: doc.quantity })
    }
    return c.json({
      totals: [...totals.values()],
      series: docs.map((d) => ({ hour: new Date(d.hour).toISOString(), category: d.category, outcome: d.outcome, reason: d.reason, quantity: d.quantity })),
    })
  })

  return app
}

function conflictOnDuplicate(error: unknown, message: string): unknown {
  return error instanceof Error && 'code' in error && error.code === 'duplicate' ? httpError(409, message) : error
}
