/**
 * Privacy routes: a project's scrubbing and retention settings (versioned, with their history),
 * the rule packs as written, and one end user's data: erasure with progress and a report, and an
 * NDJSON export.
 */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { AuditActions, type AuditAction } from '@faultline/core/audit'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { privacySettingsSchema, type PrivacySettingsStore } from '@faultline/core/privacy'
import { describePrincipal, projectScope, requires, type ApiEnv, type Principal } from '../permissions'
import { dataSubjectSchema } from '../services/data-subject'
import type { ErasureDoc, ErasureService } from '../services/privacy-erasure'
import { exportSubject } from '../services/privacy-export'
import { historyView, packsView, settingsView, updatePrivacySettings } from '../services/privacy-settings'
import { appendAudit } from '../services/audit-trail'
import { parseJsonBody, parseParam, parseQuery } from '../validation'
import { requireProject } from './issues'

export const privacySettingsBody = z
  .object({
    /** The version the change is based on; a newer stored version answers 409. */
    expectedVersion: z.number().int().min(0).optional(),
    settings: privacySettingsSchema,
  })
  .strict()
export const privacyHistoryQuery = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
})
export const erasureListQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) })
const erasureIdSchema = z.string().regex(/^[0-9a-f]{24}$/, 'must be an erasure id')

export function privacyRoutes(platform: Platform, settings: PrivacySettingsStore, erasures: ErasureService): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  /** A record more precise than the generic one of every write; a person appears only as keyed hashes. */
  const audit = (c: Context<ApiEnv>, action: AuditAction, target: { type: string; id: string }, detail: Record<string, string | number>) =>
    appendAudit(platform.audit, platform.logger, c, { action, outcome: 'success', orgId: c.get('access').orgId, target, detail })

  app.get('/privacy/packs', requires('account:read'), (c) => c.json({ data: packsView() }))

  app.get('/projects/:projectId/privacy', requires('settings:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    await requireProject(platform, projectId)
    return c.json(settingsView(await settings.get(orgId, projectId)))
  })

  app.put('/projects/:projectId/privacy', requires('settings:write'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    await requireProject(platform, projectId)
    const body = await parseJsonBody(c, privacySettingsBody)
    const updated = await updatePrivacySettings(platform, settings, orgId, projectId, body, actorOf(c.get('principal')))
    await audit(c, AuditActions.settingChanged, { type: 'privacy_settings', id: projectId }, { version: updated.version, retentionDays: updated.settings.retentionDays })
    return c.json(updated)
  })

  app.get('/projects/:projectId/privacy/history', requires('settings:read'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    await requireProject(platform, projectId)
    const { before, limit } = parseQuery(c, privacyHistoryQuery)
    return c.json({ data: (await settings.history(orgId, projectId, { limit, beforeVersion: before })).map(historyView) })
  })

  app.post('/projects/:projectId/privacy/erasures', requires('events:write'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    await requireProject(platform, projectId)
    const subject = await parseJsonBody(c, dataSubjectSchema)
    const erasure = await erasures.request(orgId, projectId, subject, actorOf(c.get('principal')))
    await audit(c, AuditActions.sensitiveDelete, { type: 'end_user', id: subjectId(erasure.subject) }, { erasureId: erasure._id, projectId })
    return c.json(erasureView(erasure), 202)
  })

  app.get('/projects/:projectId/privacy/erasures', requires('events:write'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    await requireProject(platform, projectId)
    const { limit } = parseQuery(c, erasureListQuery)
    return c.json({ data: (await erasures.list(orgId, projectId, limit)).map(erasureView) })
  })

  app.get('/projects/:projectId/privacy/erasures/:erasureId', requires('events:write'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    const erasureId = parseParam(c, 'erasureId', erasureIdSchema)
    const doc = await erasures.get(orgId, projectId, erasureId)
    if (!doc) throw httpError(404, `No erasure ${erasureId} in project ${projectId}`)
    return c.json(erasureView(doc))
  })

  // POST, not GET: the identifiers stay out of URLs, and so out of access logs. Everything held
  // about a person is as sensitive as erasing it: the same permission.
  app.post('/projects/:projectId/privacy/exports', requires('events:write'), async (c) => {
    const { orgId, projectId } = projectScope(c)
    await requireProject(platform, projectId)
    const subject = await parseJsonBody(c, dataSubjectSchema)
    const { stream, hashed } = await exportSubject(platform, orgId, projectId, subject)
    await audit(c, AuditActions.sensitiveRead, { type: 'end_user', id: subjectId(hashed) }, { projectId, export: 'ndjson' })
    return c.body(stream, 200, { 'content-type': 'application/x-ndjson', 'content-disposition': `attachment; filename="project-${projectId}-subject-export.ndjson"` })
  })

  return app
}

/** Who made a change, for the settings history and the erasure record: `token:<name> (<prefix>)` or `user:<email>`. */
function actorOf(principal: Principal | undefined): string {
  const who = describePrincipal(principal)
  return who.type === 'token' ? `token:${who.name ?? ''} (${who.id})` : `${who.type}:${who.name ?? who.id}`
}

/** The keyed hashes naming a person in audit records: `user:…,email:…,ip:…`. */
function subjectId(hashed: ErasureDoc['subject']): string {
  return [hashed.userId, hashed.email, hashed.ipAddress].filter((part) => part !== undefined).join(',')
}

function erasureView(doc: ErasureDoc) {
  return {
    id: doc._id,
    projectId: doc.projectId,
    status: doc.status,
    requestedBy: doc.requestedBy,
    requestedAt: new Date(doc.requestedAt).toISOString(),
    finishedAt: doc.finishedAt === undefined ? null : new Date(doc.finishedAt).toISOString(),
    subject: doc.subject,
    report: doc.report,
    error: doc.error ?? null,
  }
}
