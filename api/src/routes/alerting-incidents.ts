/** Incident routes: declare, list, detail with timeline, status, notes, responders, linked issues, acknowledgement, summary. */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { IncidentSeverities, IncidentStatuses, type AlertingStores } from '@faultline/alerting'
import type { Platform } from '@faultline/core/platform'
import { httpError } from '@faultline/core/http'
import { requires, type ApiEnv } from '../permissions'
import { actorOf, orgIdSchema } from '../services/alerting-actor'
import { parseJsonBody, parseParam, parseQuery } from '../validation'
import { acknowledgeIncident, addNote, addResponder, declareIncident, linkIssue, requireIncident, setIncidentStatus } from '../services/alerting-incidents'

const statuses = Object.values(IncidentStatuses) as [string, ...string[]]
const idSchema = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an id')
const person = z.string().min(1).max(200)
export const declareBody = z
  .object({ title: z.string().min(1).max(500), severity: z.enum(IncidentSeverities), commander: person.optional(), groupId: idSchema.optional() })
  .strict()
export const statusBody = z.object({ status: z.enum(statuses), message: z.string().max(5_000).default('') }).strict()
export const noteBody = z.object({ text: z.string().min(1).max(10_000) }).strict()
export const responderBody = z.object({ name: person, role: z.enum(['responder', 'commander']).default('responder') }).strict()
export const issueBody = z.object({ projectId: z.string().regex(/^[1-9][0-9]{0,17}$/), issueId: z.string().regex(/^[1-9][0-9]{0,17}$/) }).strict()
export const listQuery = z.object({ status: z.enum(statuses).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) })

export function incidentRoutes(platform: Platform, stores: AlertingStores): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const orgOf = (c: Context) => parseParam(c, 'orgId', orgIdSchema)
  const incidentId = (c: Context) => parseParam(c, 'id', idSchema)

  app.post('/orgs/:orgId/alerting/incidents', requires('alerts:write'), async (c) => {
    const body = await parseJsonBody(c, declareBody, 16 * 1024)
    return c.json(await declareIncident(platform, stores, orgOf(c), { ...body, by: actorOf(c) }), 201)
  })

  app.get('/orgs/:orgId/alerting/incidents', requires('alerts:read'), async (c) => {
    const { status, limit } = parseQuery(c, listQuery)
    return c.json({ data: await stores.incidents.list(orgOf(c), { status: status as never, limit }) })
  })

  app.get('/orgs/:orgId/alerting/incidents/:id', requires('alerts:read'), async (c) => {
    const incident = await requireIncident(stores, orgOf(c), incidentId(c))
    return c.json({ ...incident, timeline: await stores.incidents.timeline(orgOf(c), incident._id) })
  })

  app.get('/orgs/:orgId/alerting/incidents/:id/summary', requires('alerts:read'), async (c) => {
    const summary = await stores.incidents.summary(orgOf(c), incidentId(c))
    if (!summary) throw httpError(404, `No incident ${c.req.param('id')}`)
    return c.json(summary)
  })

  app.post('/orgs/:orgId/alerting/incidents/:id/status', requires('alerts:write'), async (c) => {
    const { status, message } = await parseJsonBody(c, statusBody, 16 * 1024)
    return c.json(await setIncidentStatus(stores, orgOf(c), incidentId(c), status as never, message, actorOf(c)))
  })

  app.post('/orgs/:orgId/alerting/incidents/:id/acknowledge', requires('alerts:write'), async (c) => c.json(await acknowledgeIncident(stores, orgOf(c), incidentId(c), actorOf(c))))

  app.post('/orgs/:orgId/alerting/incidents/:id/notes', requires('alerts:write'), async (c) => c.json(await addNote(stores, orgOf(c), incidentId(c), (await parseJsonBody(c, noteBody, 32 * 1024)).text, actorOf(c)), 201))

  app.post('/orgs/:orgId/alerting/incidents/:id/responders', requires('alerts:write'), async (c) => {
    const { name, role } = await parseJsonBody(c, responderBody, 4 * 1024)
    return c.json(await addResponder(stores, orgOf(c), incidentId(c), name, role, actorOf(c)))
  })

  app.post('/orgs/:orgId/alerting/incidents/:id/issues', requires('alerts:write'), async (c) => {
    const { projectId, issueId } = await parseJsonBody(c, issueBody, 4 * 1024)
    return c.json(await linkIssue(platform, stores, orgOf(c), incidentId(c), projectId, issueId, actorOf(c)))
  })

  return app
}
