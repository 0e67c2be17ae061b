/**
 * The security timeline API (`security:read` to look, `security:write` to change rules and
 * investigations). Every search, pivot, backtest and export is appended to the audit log as
 * `sensitive_read` with the query, so who looked at what stays on record.
 */
import { Hono, type Context } from 'hono'
import { stream } from 'hono/streaming'
import { z } from 'zod'
import { AuditActions, type AuditScalar } from '@faultline/core/audit'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { severityLevels, type QueryNode } from '@faultline/core/security'
import { withoutOrg } from '@faultline/core/tenancy'
import { describePrincipal, projectScope, requires, type ApiEnv } from '../permissions'
import { parseJsonBody, parseParam, parseQuery } from '../validation'
import { appendAudit } from '../services/audit-trail'
import { cursors } from '../services/cursor'
import { parseColumns, parseQueryText, searchSecurityEvents, securityEventPages, securityHistogram, type TimeRange } from '../services/security-timeline'
import { PivotFields, securityPivot, type PivotField } from '../services/security-pivot'
import { organizationSecurityEvents, securityReadableProjects } from '../services/security-org-events'
import { securityEventDetail } from '../services/security-event-detail'
import { securityFieldValues } from '../services/security-field-values'
import { changeInvestigation, createInvestigation, deleteSavedSearch, getInvestigation, investigationStores, listInvestigations, listSavedSearches, saveSearch } from '../services/security-investigations'
import { backtestRule, detectionStores, parseOneRule, removeRule, ruleView, saveRule, switchRule } from '../services/security-rules'
import { projectRules, ruleIdPattern } from '@faultline/core/detections'
import { projectIdSchema, requireProject } from './issues'

const time = z.union([z.coerce.number().int().min(0).max(8.64e15), z.iso.datetime({ offset: true }).transform((v) => Date.parse(v))])
const range = { startDate: time.optional(), endDate: time.optional() }
const columns = z.string().max(2000).transform((v) => v.split(',').map((c) => c.trim()).filter(Boolean)).optional()
const eventIdSchema = z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 hex digits')
const uuidSchema = z.uuid()
const ruleIdSchema = z.string().regex(ruleIdPattern, 'must be a rule id')
const filterValue = z.string().min(1).max(256)

export const securityEventsQuery = z
  .object({
    ...range,
    severity: z.string().max(100).transform((v) => v.split(',')).pipe(z.array(z.enum(severityLevels))).optional(),
    action: filterValue.optional(),
    outcome: z.enum(['success', 'failure', 'unknown']).optional(),
    sourceIp: filterValue.optional(),
    user: filterValue.optional(),
    q: z.string().max(2000).optional(),
    columns,
    cursor: cursors.securityEvents.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict()

export const securitySearchBody = z
  .object({ query: z.string().max(2000).default(''), ...range, columns: z.array(z.string().max(100)).max(40).optional(), histogram: z.boolean().default(false), cursor: cursors.securityEvents.optional(), limit: z.number().int().min(1).max(500).default(100) })
  .strict()

export const securityPivotQuery = z.object({ field: z.enum(Object.values(PivotFields) as [PivotField, ...PivotField[]]), value: filterValue, ...range }).strict()
export const securityExportQuery = z.object({ format: z.enum(['ndjson', 'csv']).default('ndjson'), q: z.string().max(2000).optional(), ...range, columns, max: z.coerce.number().int().min(1).max(1_000_000).default(100_000) }).strict()
export const investigationBody = z.object({ title: z.string().min(1).max(200), pinned: z.array(eventIdSchema).max(500).default([]) }).strict()
export const investigationChangeBody = z.object({ title: z.string().min(1).max(200).optional(), status: z.enum(['open', 'closed']).optional(), pin: z.array(eventIdSchema).max(500).optional(), unpin: z.array(eventIdSchema).max(500).optional(), note: z.string().min(1).max(10_000).optional() }).strict()
export const savedSearchBody = z.object({ name: z.string().min(1).max(200), query: z.string().max(2000), columns: z.array(z.string().max(100)).max(40).default([]) }).strict()
export const ruleBody = z.object({ source: z.string().min(1).max(256 * 1024) }).strict()
export const ruleSwitchBody = z.object({ enabled: z.boolean() }).strict()
export const backtestRuleBody = z.object({ source: z.string().min(1).max(256 * 1024), ...range }).strict()
export const fieldValuesQuery = z.object({ field: z.string().min(1).max(140), prefix: z.string().max(256).default(''), ...range, limit: z.coerce.number().int().min(1).max(50).default(10) }).strict()
export const detectionsQuery = z.object({ ...range, rule: ruleIdSchema.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }).strict()

const day = 24 * 3600_000
const maxRangeMs = 400 * day

/** startDate/endDate (ISO or epoch ms); the last 24 hours by default. */
export function timeRange(q: { startDate?: number; endDate?: number }, now = Date.now()): TimeRange {
  const to = q.endDate ?? now
  const from = q.startDate ?? to - day
  if (from >= to) throw httpError(400, 'startDate must be before endDate')
  if (to - from > maxRangeMs) throw httpError(400, 'A time range spans at most 400 days')
  return { from, to }
}

const quote = (value: string) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`

/** The list endpoint's filters in the timeline language (values quoted, so taken literally), and `q` parsed on its own. */
function filterQuery(q: z.infer<typeof securityEventsQuery>): QueryNode {
  const parts: string[] = []
  if (q.severity) parts.push(`(${q.severity.map((s) => `event.severity: ${s}`).join(' or ')})`)
  if (q.action) parts.push(`event.action: ${quote(q.action)}`)
  if (q.outcome) parts.push(`event.outcome: ${q.outcome}`)
  if (q.sourceIp) parts.push(`source.ip: ${q.sourceIp.replace(/[^0-9a-fA-F:./]/g, '') || '""'}`)
  if (q.user) parts.push(`(user.name: ${quote(q.user)} or user.id: ${quote(q.user)})`)
  return { type: 'and', children: [parseQueryText(q.q), parseQueryText(parts.join(' and '))] }
}

export function securityRoutes(platform: Platform): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const project = async (c: Context<ApiEnv>) => {
    const projectId = parseParam(c, 'projectId', projectIdSchema)
    await requireProject(platform, projectId)
    return projectId
  }
  /** The project and its organization: detections, rules, investigations and saved searches are reached through both. */
  const scope = async (c: Context<ApiEnv>) => {
    await project(c)
    return projectScope(c)
  }
  const audit = (c: Context<ApiEnv>, projectId: string, detail: Record<string, AuditScalar>) =>
    appendAudit(platform.audit, platform.logger, c, { action: AuditActions.sensitiveRead, outcome: 'success', orgId: c.get('access').orgId, target: { type: 'security_events', id: projectId }, detail })
  const actor = (c: Context<ApiEnv>) => {
    const who = describePrincipal(c.get('principal'))
    return who.name ?? who.id
  }

  app.get('/projects/:projectId/security/events', requires('security:read'), async (c) => {
    const projectId = await project(c)
    const q = parseQuery(c, securityEventsQuery)
    const result = await searchSecurityEvents(platform, projectId, { ...timeRange(q), query: filterQuery(q), columns: parseColumns(q.columns), limit: q.limit, cursor: q.cursor })
    await audit(c, projectId, { search: new URL(c.req.url).search.slice(0, 500) })
    return c.json(result)
  })

  // Across projects: any signed-in caller may ask; it gets the projects where it holds security:read.
  app.get('/security/events', requires('account:read'), async (c) => {
    const q = parseQuery(c, securityEventsQuery)
    const projects = await securityReadableProjects(platform, c.get('authorizer'), c.get('access').principal!)
    const result = await organizationSecurityEvents(platform, projects, { ...timeRange(q), query: filterQuery(q), columns: parseColumns(q.columns), limit: q.limit, cursor: q.cursor })
    const search = new URL(c.req.url).search.slice(0, 500)
    for (const orgId of new Set(projects.map((p) => p.orgId))) {
      const ids = projects.filter((p) => p.orgId === orgId).map((p) => p._id)
      await appendAudit(platform.audit, platform.logger, c, { action: AuditActions.sensitiveRead, outcome: 'success', orgId, target: { type: 'security_events', id: ids.join(',').slice(0, 500) }, detail: { search } })
    }
    return c.json(result)
  })

  app.get('/projects/:projectId/security/events/:eventId', requires('security:read'), async (c) => {
    const projectId = await project(c)
    const eventId = parseParam(c, 'eventId', eventIdSchema)
    const detail = await securityEventDetail(platform, projectId, eventId)
    await audit(c, projectId, { event: eventId })
    return c.json(detail)
  })

  // Not audited: the query box asks on every keystroke, and a value shown here is one a search would show (which is audited).
  app.get('/projects/:projectId/security/field-values', requires('security:read'), async (c) => {
    const projectId = await project(c)
    const q = parseQuery(c, fieldValuesQuery)
    return c.json(await securityFieldValues(platform, projectId, q.field, q.prefix, timeRange(q), q.limit))
  })

  app.post('/projects/:projectId/security/search', requires('security:read'), async (c) => {
    const projectId = await project(c)
    const body = await parseJsonBody(c, securitySearchBody)
    const range = timeRange(body)
    const query = parseQueryText(body.query)
    const [page, histogram] = await Promise.all([
      searchSecurityEvents(platform, projectId, { ...range, query, columns: parseColumns(body.columns), limit: body.limit, cursor: body.cursor }),
      body.histogram ? securityHistogram(platform, projectId, range, query) : undefined,
    ])
    await audit(c, projectId, { search: body.query.slice(0, 500) })
    return c.json({ ...page, ...(histogram && { histogram }) })
  })

  app.get('/projects/:projectId/security/pivot', requires('security:read'), async (c) => {
    const projectId = await project(c)
    const q = parseQuery(c, securityPivotQuery)
    const pivot = await securityPivot(platform, projectId, q.field, q.value, timeRange(q))
    await audit(c, projectId, { pivot: q.field, value: q.value })
    return c.json(pivot)
  })

  app.get('/projects/:projectId/security/export', requires('security:read'), async (c) => {
    const projectId = await project(c)
    const q = parseQuery(c, securityExportQuery)
    const query = parseQueryText(q.q)
    const cols = parseColumns(q.columns) ?? (q.format === 'csv' ? ['@timestamp', 'event.action', 'event.outcome', 'event.severity', 'source.ip', 'source.geo.country_iso_code', 'user.name', 'url.original', 'message'] : undefined)
    const range = timeRange(q)
    await audit(c, projectId, { export: q.format, search: (q.q ?? '').slice(0, 500), max: q.max })
    c.header('content-type', q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
    c.header('content-disposition', `attachment; filename="security-${projectId}.${q.format}"`)
    return stream(c, async (out) => {
      if (q.format === 'csv') await out.write(`${cols!.map(csvCell).join(',')}\n`)
      for await (const page of securityEventPages(platform, projectId, { ...range, query, columns: cols }, q.max)) {
        const lines = page.map((row) => (q.format === 'csv' ? cols!.map((col) => csvCell(row.fields![col])).join(',') : JSON.stringify(row.event ?? row.fields)))
        await out.write(`${lines.join('\n')}\n`)
      }
    })
  })

  app.get('/projects/:projectId/security/detections', requires('security:read'), async (c) => {
    const { orgId, projectId } = await scope(c)
    const q = parseQuery(c, detectionsQuery)
    const { from, to } = timeRange(q)
    const stores = await detectionStores(platform)
    const docs = await stores.detections.find(orgId, { projectId, anchorAt: { $gte: from, $lt: to }, ...(q.rule && { ruleId: q.rule }) }, { sort: { field: 'anchorAt', direction: 'desc' }, limit: q.limit })
    return c.json({ data: docs.map(withoutOrg).map(({ _id, ruleGroup: _g, ...d }) => ({ id: _id, ...d })) })
  })

  app.get('/projects/:projectId/security/rules', requires('security:read'), async (c) => {
    const { orgId, projectId } = await scope(c)
    return c.json({ data: (await projectRules(await detectionStores(platform), orgId, projectId)).map(ruleView) })
  })

  app.put('/projects/:projectId/security/rules/:ruleId', requires('security:write'), async (c) => {
    const { orgId, projectId } = await scope(c)
    const ruleId = parseParam(c, 'ruleId', ruleIdSchema)
    const { source } = await parseJsonBody(c, ruleBody)
    return c.json(ruleView(await saveRule(platform, orgId, projectId, ruleId, source)))
  })

  app.patch('/projects/:projectId/security/rules/:ruleId', requires('security:write'), async (c) => {
    const { orgId, projectId } = await scope(c)
    const ruleId = parseParam(c, 'ruleId', ruleIdSchema)
    const { enabled } = await parseJsonBody(c, ruleSwitchBody)
    await switchRule(platform, orgId, projectId, ruleId, enabled)
    return c.json({ id: ruleId, enabled })
  })

  app.delete('/projects/:projectId/security/rules/:ruleId', requires('security:write'), async (c) => {
    const { orgId, projectId } = await scope(c)
    await removeRule(platform, orgId, projectId, parseParam(c, 'ruleId', ruleIdSchema))
    return c.body(null, 204)
  })

  app.post('/projects/:projectId/security/rules/backtest', requires('security:read'), async (c) => {
    const projectId = await project(c)
    const body = await parseJsonBody(c, backtestRuleBody, 512 * 1024)
    const parsed = parseOneRuleAnyId(body.source)
    const result = await backtestRule(platform, projectId, parsed, timeRange(body))
    await audit(c, projectId, { backtest: parsed.id })
    return c.json(result)
  })

  app.get('/projects/:projectId/security/investigations', requires('security:read'), async (c) => {
    const { orgId, projectId } = await scope(c)
    return c.json({ data: await listInvestigations(await investigationStores(platform), orgId, projectId) })
  })

  app.post('/projects/:projectId/security/investigations', requires('security:write'), async (c) => {
    const { orgId, projectId } = await scope(c)
    const body = await parseJsonBody(c, investigationBody)
    return c.json(await createInvestigation(await investigationStores(platform), orgId, projectId, body.title, actor(c), body.pinned), 201)
  })

  app.get('/projects/:projectId/security/investigations/:investigationId', requires('security:read'), async (c) => {
    const { orgId, projectId } = await scope(c)
    return c.json(await getInvestigation(await investigationStores(platform), orgId, projectId, parseParam(c, 'investigationId', uuidSchema)))
  })

  app.patch('/projects/:projectId/security/investigations/:investigationId', requires('security:write'), async (c) => {
    const { orgId, projectId } = await scope(c)
    const id = parseParam(c, 'investigationId', uuidSchema)
    const change = await parseJsonBody(c, investigationChangeBody)
    return c.json(await changeInvestigation(await investigationStores(platform), orgId, projectId, id, change, actor(c)))
  })

  app.get('/projects/:projectId/security/saved-searches', requires('security:read'), async (c) => {
    const { orgId, projectId } = await scope(c)
    return c.json({ data: await listSavedSearches(await investigationStores(platform), orgId, projectId) })
  })

  app.post('/projects/:projectId/security/saved-searches', requires('security:write'), async (c) => {
    const { orgId, projectId } = await scope(c)
    const body = await parseJsonBody(c, savedSearchBody)
    parseQueryText(body.query)
    parseColumns(body.columns)
    return c.json(await saveSearch(await investigationStores(platform), orgId, projectId, body, actor(c)), 201)
  })

  app.delete('/projects/:projectId/security/saved-searches/:searchId', requires('security:write'), async (c) => {
    const { orgId, projectId } = await scope(c)
    await deleteSavedSearch(await investigationStores(platform), orgId, projectId, parseParam(c, 'searchId', uuidSchema))
    return c.body(null, 204)
  })

  return app
}

function parseOneRuleAnyId(source: string) {
  const id = /^id:\s*([a-z0-9-]+)\s*$/m.exec(source)?.[1] ?? 'backtest'
  return parseOneRule(id, source)
}

/** RFC 4180 cells; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula. */
function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(' ') : String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}
