/** Projects and their outcome statistics (what ingest accepted, filtered, rate-limited). */
import { Hono } from 'hono'
import { z } from 'zod'
import type { Platform } from '@faultline/core/platform'
import { formatDsn } from '@faultline/core/projects'
import type { OutcomeDoc } from '@faultline/core/outcomes'
import type { Collection } from '@faultline/core/ports'
import type { AuthEnv } from '../middleware/token-auth'
import { parseParam, parseQuery } from '../validation'
import { projectIdSchema, requireProject } from './issues'

const outcomesQuery = z.object({
  since: z.coerce.number().int().nonnegative().optional(),
  until: z.coerce.number().int().nonnegative().optional(),
})

export function projectRoutes(platform: Platform, outcomes: Collection<OutcomeDoc>, publicUrl: string): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>()

  app.get('/projects', async (c) => {
    const projects = await platform.projects.projects.find({}, { sort: { field: '_id', direction: 'asc' }, limit: 1000 })
    return c.json({ data: projects.map((p) => ({ id: p._id, name: p.name, slug: p.slug, createdAt: new Date(p.createdAt).toISOString() })) })
  })

  app.get('/projects/:projectId/keys', async (c) => {
    const projectId = parseParam(c, 'projectId', projectIdSchema)
    await requireProject(platform, projectId)
    const keys = await platform.projects.keys.find({ projectId }, { limit: 1000 })
    return c.json({ data: keys.map((k) => ({ publicKey: k._id, label: k.label, disabled: k.disabled, dsn: formatDsn(publicUrl, k) })) })
  })

  app.get('/projects/:projectId/stats/outcomes', async (c) => {
    const projectId = parseParam(c, 'projectId', projectIdSchema)
    await requireProject(platform, projectId)
    const { since, until } = parseQuery(c, outcomesQuery)
    const filter: Record<string, unknown> = { projectId }
    const hour: Record<string, number> = {}
    if (since !== undefined) hour.$gte = Math.floor(since / 3_600_000) * 3_600_000
    if (until !== undefined) hour.$lte = until
    if (Object.keys(hour).length > 0) filter.hour = hour
    const docs = await outcomes.find(filter as Parameters<typeof outcomes.find>[0], { sort: { field: 'hour', direction: 'asc' }, limit: 10_000 })
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
