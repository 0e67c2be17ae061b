/**
 * Alerting routes: configuration as code (export, preview with a diff, atomic apply), secrets
 * the configuration names, silences, alert groups (acknowledge, resolve, silence) and the
 * routing tester. Handlers stay thin; the logic is in services/alerting-*.ts.
 */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import {
  AlertGroupStates,
  alertingSecretName,
  maxConfigBytes,
  notificationPayloadV1,
  onCallAt,
  previewRule,
  ruleSchema,
  scheduleIcal,
  secretNameSchema,
  type AlertingStores,
} from '@faultline/alerting'
import { scoreThreshold as detectorThreshold, type Sensitivity } from '@faultline/intelligence'
import type { Platform } from '@faultline/core/platform'
import { httpError } from '@faultline/core/http'
import { requires, type ApiEnv } from '../permissions'
import { actorOf, orgIdSchema } from '../services/alerting-actor'
import { parseJsonBody, parseParam, parseQuery } from '../validation'
import { alertingSecretNames, applyConfig, exportConfig, invalidConfig, previewConfig } from '../services/alerting-config'
import { acknowledgeGroup, createSilence, requireGroup, resolveGroup, silenceGroup, testRoutes } from '../services/alerting-actions'

const time = z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true }).transform((v) => Date.parse(v))])
export const silenceBody = z
  .object({
    matchers: z.array(z.string().max(2_000)).min(1).max(50),
    startsAt: time.optional(),
    endsAt: time,
    comment: z.string().min(1).max(2_000),
  })
  .strict()
const idSchema = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an id')
export const groupQuery = z.object({ state: z.enum(Object.values(AlertGroupStates) as [string, ...string[]]).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) })
export const revisionQuery = z.object({ revision: z.coerce.number().int().min(0) })
export const silenceGroupBody = z.object({ minutes: z.number().int().min(1).max(30 * 24 * 60).default(60) }).strict()
export const testBody = z.object({ labels: z.record(z.string().max(100), z.string().max(1_000)) }).strict()
export const secretBody = z.object({ value: z.string().min(1).max(10_000) }).strict()
export const previewBody = z.object({ rule: ruleSchema }).strict()
export const icalQuery = z.object({ days: z.coerce.number().int().min(1).max(90).default(14) })
export const scheduleName = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be a schedule name')

/** The configuration as YAML text: a raw body, or JSON `{ "yaml": "..." }`. */
async function configText(c: Context): Promise<string> {
  if (Number(c.req.header('content-length') ?? 0) > maxConfigBytes) throw httpError(413, `Configuration larger than ${maxConfigBytes} bytes`)
  const text = await c.req.text()
  if (Buffer.byteLength(text) > maxConfigBytes) throw httpError(413, `Configuration larger than ${maxConfigBytes} bytes`)
  if (!(c.req.header('content-type') ?? '').includes('json')) return text
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw httpError(400, 'Body is not valid JSON')
  }
  const parsed = z.object({ yaml: z.string() }).safeParse(json)
  if (!parsed.success) throw httpError(400, 'Send the configuration as YAML text, or as JSON {"yaml": "..."}')
  return parsed.data.yaml
}

export function alertingRoutes(platform: Platform, stores: AlertingStores): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const orgOf = (c: Context) => parseParam(c, 'orgId', orgIdSchema)

  app.get('/orgs/:orgId/alerting/config', requires('alerts:read'), async (c) => {
    const exported = await exportConfig(stores, orgOf(c))
    if (c.req.query('format') === 'yaml') return c.body(exported.yaml, 200, { 'content-type': 'application/yaml; charset=utf-8', etag: `"${exported.revision}"` })
    return c.json(exported)
  })

  app.post('/orgs/:orgId/alerting/config/preview', requires('alerts:read'), async (c) => {
    const preview = await previewConfig(stores, platform.secrets, orgOf(c), await configText(c), await orgProjects(platform, orgOf(c)))
    if (!preview.ok) throw invalidConfig(preview.problems)
    return c.json({ valid: true, diff: preview.diff })
  })

  app.put('/orgs/:orgId/alerting/config', requires('alerts:write'), async (c) => {
    const { revision } = parseQuery(c, revisionQuery)
    return c.json(await applyConfig(stores, platform.secrets, orgOf(c), await configText(c), revision, actorOf(c), await orgProjects(platform, orgOf(c))))
  })

  app.get('/orgs/:orgId/alerting/secrets', requires('alerts:read'), async (c) => c.json({ names: [...(await alertingSecretNames(platform.secrets, orgOf(c)))].sort() }))

  app.put('/orgs/:orgId/alerting/secrets/:name', requires('settings:write'), async (c) => {
    const name = parseParam(c, 'name', secretNameSchema)
    const { value } = await parseJsonBody(c, secretBody, 16 * 1024)
    await platform.secrets.put(alertingSecretName(orgOf(c), name), value)
    return c.body(null, 204)
  })

  app.delete('/orgs/:orgId/alerting/secrets/:name', requires('settings:write'), async (c) => {
    const name = parseParam(c, 'name', secretNameSchema)
    if (!(await platform.secrets.delete(alertingSecretName(orgOf(c), name)))) throw httpError(404, `No secret ${name}`)
    return c.body(null, 204)
  })

  app.get('/orgs/:orgId/alerting/silences', requires('alerts:read'), async (c) => c.json({ data: await stores.silences.list(orgOf(c), 500) }))

  app.post('/orgs/:orgId/alerting/silences', requires('alerts:write'), async (c) => {
    const body = await parseJsonBody(c, silenceBody, 64 * 1024)
    const silence = await createSilence(stores, orgOf(c), { matchers: body.matchers, startsAt: body.startsAt ?? Date.now(), endsAt: body.endsAt, comment: body.comment, createdBy: actorOf(c) })
    return c.json(silence, 201)
  })

  app.delete('/orgs/:orgId/alerting/silences/:id', requires('alerts:write'), async (c) => {
    const id = parseParam(c, 'id', idSchema)
    const expired = await stores.silences.expire(orgOf(c), id)
    if (!expired) throw httpError(404, `No silence ${id}`)
    return c.json(expired)
  })

  app.get('/orgs/:orgId/alerting/groups', requires('alerts:read'), async (c) => {
    const { state, limit } = parseQuery(c, groupQuery)
    return c.json({ data: await stores.groups.list(orgOf(c), { state: state as never, limit }) })
  })

  app.get('/orgs/:orgId/alerting/groups/:id', requires('alerts:read'), async (c) => c.json(await requireGroup(stores, orgOf(c), parseParam(c, 'id', idSchema))))

  app.post('/orgs/:orgId/alerting/groups/:id/acknowledge', requires('alerts:write'), async (c) => c.json(await acknowledgeGroup(stores, orgOf(c), parseParam(c, 'id', idSchema), actorOf(c))))

  app.post('/orgs/:orgId/alerting/groups/:id/resolve', requires('alerts:write'), async (c) => c.json(await resolveGroup(platform, stores, orgOf(c), parseParam(c, 'id', idSchema))))

  app.post('/orgs/:orgId/alerting/groups/:id/silence', requires('alerts:write'), async (c) => {
    const { minutes } = await parseJsonBody(c, silenceGroupBody, 4 * 1024)
    return c.json(await silenceGroup(stores, orgOf(c), parseParam(c, 'id', idSchema), actorOf(c), minutes * 60_000), 201)
  })

  app.post('/orgs/:orgId/alerting/rules/preview', requires('alerts:read'), async (c) => {
    const { rule } = await parseJsonBody(c, previewBody, 64 * 1024)
    const scoreThreshold = async (sensitivity: Sensitivity) => detectorThreshold(sensitivity)
    const projects = await orgProjects(platform, orgOf(c))
    if (rule.kind === 'metric' && !projects.includes(rule.project)) throw httpError(422, `Project ${rule.project} is not in this organization`)
    return c.json(await previewRule({ eventStore: platform.eventStore, issues: platform.issues, orgId: orgOf(c), orgProjects: projects, scoreThreshold }, rule))
  })

  app.get('/orgs/:orgId/alerting/schedules/:name/oncall', requires('alerts:read'), async (c) => {
    const schedule = await requireSchedule(stores, orgOf(c), parseParam(c, 'name', scheduleName))
    const now = Date.now()
    return c.json({ schedule: schedule.name, at: new Date(now).toISOString(), user: onCallAt(schedule, now) ?? null })
  })

  app.get('/orgs/:orgId/alerting/schedules/:name/ical', requires('alerts:read'), async (c) => {
    return icalResponse(c, await requireSchedule(stores, orgOf(c), parseParam(c, 'name', scheduleName)))
  })

  app.post('/orgs/:orgId/alerting/routes/test', requires('alerts:read'), async (c) => c.json(await testRoutes(stores, orgOf(c), (await parseJsonBody(c, testBody, 64 * 1024)).labels)))

  app.get('/orgs/:orgId/alerting/schemas/notification-v1.json', requires('alerts:read'), (c) => c.json(z.toJSONSchema(notificationPayloadV1)))

  return app
}

/** The schedule's shifts from this hour on, `days` (query) ahead, as an iCalendar. */
export function icalResponse(c: Context<ApiEnv>, schedule: Parameters<typeof scheduleIcal>[0]): Response {
  const { days } = parseQuery(c, icalQuery)
  const from = Math.floor(Date.now() / 3_600_000) * 3_600_000
  return c.body(scheduleIcal(schedule, from, from + days * 86_400_000), 200, { 'content-type': 'text/calendar; charset=utf-8' })
}

export async function requireSchedule(stores: AlertingStores, orgId: string, name: string) {
  const schedule = (await stores.configs.load(orgId))?.config.schedules.find((s) => s.name === name)
  if (!schedule) throw httpError(404, `No schedule ${name}`)
  return schedule
}

/** The ids of an organization's projects: what its rules may read. */
async function orgProjects(platform: Platform, orgId: string): Promise<string[]> {
  return (await platform.projects.projects.find({ orgId }, { limit: 100_000 })).map((p) => p._id)
}
