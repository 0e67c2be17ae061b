/** Incident routes: declare, list, detail with timeline, status, notes, responders, linked issues, acknowledgement, summary. */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { defaultOrgId, IncidentSeverities, IncidentStatuses, type AlertingStores } from '@faultline/alerting'
import type { Platform } from '@faultline/core/platform'
import { httpError } from '@faultline/core/http'
import type { AuthEnv } from '../middleware/token-auth'
import { parseJsonBody, parseParam, parseQuery } from '../validation'
import { acknowledgeIncident, addNote, addResponder, declareIncident, linkIssue, requireIncident, setIncidentStatus } from '../services/alerting-incidents'

const statuses = Object.values(IncidentStatuses) as [string, ...string[]]
const idSchema = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an id')
const person = z.string().min(1).max(200)
const declareBody = z
  .object({ title: z.string().min(1).max(500), severity: z.enum(IncidentSeverities), commander: person.optional(), groupId: idSchema.optional() })
  .strict()
const statusBody = z.object({ status: z.enum(statuses), message: z.string().max(5_000).default('') }).strict()
const noteBody = z.object({ text: z.string().min(1).max(10_000) }).strict()
const responderBody = z.object({ name: person, role: z.enum(['responder', 'commander']).default('responder') }).strict()
const issueBody = z.object({ projectId: z.string().regex(/^[1-9][0-9]{0,17}$/), issueId: z.string().regex(/^[1-9][0-9]{0,17}$/) }).strict()
const listQuery = z.object({ status: z.enum(statuses).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) })

export function incidentRoutes(platform: Platform, stores: AlertingStores): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>()
  const org = defaultOrgId
  const actor = (c: Context<AuthEnv>) => `token:${c.get('token').name}`
  const incidentId = (c: Context) => parseParam(c, 'id', idSchema)

  app.post('/alerting/incidents', async (c) => {
    const body = await parseJsonBody(c, declareBody, 16 * 1024)
    return c.json(await declareIncident(platform, stores, org, { ...body, by: actor(c) }), 201)
  })

  app.get('/alerting/incidents', async (c) => {
    const { status, limit } = parseQuery(c, listQuery)
    return c.json({ data: await stores.incidents.list(org, { status: status as never, limit }) })
  })

  app.get('/alerting/incidents/:id', async (c) => {
    const incident = await requireIncident(stores, org, incidentId(c))
    return c.json({ ...incident, timeline: await stores.incidents.timeline(org, incident._id) })
  })

  app.get('/alerting/incidents/:id/summary', async (c) => {
    const summary = await stores.incidents.summary(org, incidentId(c))
    if (!summary) throw httpError(404, `No incident ${c.req.param('id')}`)
    return c.json(summary)
  })

  app.post('/alerting/incidents/:id/status', async (c) => {
    const { status, message } = await parseJsonBody(c, statusBody, 16 * 1024)
    return c.json(await setIncidentStatus(stores, org, incidentId(c), status as never, message, actor(c)))
  })

  app.post('/alerting/incidents/:id/acknowledge', async (c) => c.json(await acknowledgeIncident(stores, org, incidentId(c), actor(c))))

  app.post('/alerting/incidents/:id/notes', async (c) => c.json(await addNote(stores, org, incidentId(c), (await parseJsonBody(c, noteBody, 32 * 1024)).text, actor(c)), 201))

  app.post('/alerting/incidents/:id/responders', async (c) => {
    const { name, role } = await parseJsonBody(c, responderBody, 4 * 1024)
    return c.json(await addResponder(stores, org, incidentId(c), name, role, actor(c)))
  })

  app.post('/alerting/incidents/:id/issues', async (c) => {
    const { projectId, issueId } = await parseJsonBody(c, issueBody, 4 * 1024)
    return c.json(await linkIssue(platform, stores, org, incidentId(c), projectId, issueId, actor(c)))
  })

  return app
}
