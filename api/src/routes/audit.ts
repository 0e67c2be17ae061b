/**
 * The audit log: an organization's records (search, NDJSON export) for those holding
 * `audit:read`, and verification of the whole chain for instance administrators.
 */
import { Hono, type Context } from 'hono'
import { stream } from 'hono/streaming'
import { z } from 'zod'
import { AuditActions, auditActionNames, type AuditDoc, type AuditQuery } from '@faultline/core/audit'
import type { Platform } from '@faultline/core/platform'
import { requires, type ApiEnv } from '../permissions'
import { parseQuery } from '../validation'
import { appendAudit } from '../services/audit-trail'

const time = z.union([z.coerce.number().int().nonnegative(), z.iso.datetime({ offset: true }).transform((v) => Date.parse(v))])
const filters = {
  action: z.enum(auditActionNames).optional(),
  actorId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  targetType: z.string().regex(/^[a-z_]{1,40}$/).optional(),
  targetId: z.string().min(1).max(200).optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  since: time.optional(),
  until: time.optional(),
}
export const auditSearchQuery = z.object({ ...filters, cursor: z.string().regex(/^[1-9][0-9]{0,15}$/, 'must be a cursor from nextCursor').optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }).strict()
export const auditExportQuery = z.object(filters).strict()

const view = (d: AuditDoc) => ({
  seq: d.seq,
  at: new Date(d.at).toISOString(),
  action: d.action,
  outcome: d.outcome,
  orgId: d.orgId ?? null,
  actor: d.actor,
  target: d.target ?? null,
  ip: d.ip ?? null,
  userAgent: d.userAgent ?? null,
  detail: d.detail ?? {},
  hash: d.hash,
  prevHash: d.prevHash,
})

export function auditRoutes(platform: Platform): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const queryOf = (c: Context<ApiEnv>, q: z.infer<typeof auditExportQuery>): AuditQuery => ({ ...q, orgId: c.get('access').orgId! })

  app.get('/orgs/:orgId/audit', requires('audit:read'), async (c) => {
    const q = parseQuery(c, auditSearchQuery)
    const { cursor, limit, ...rest } = q
    const docs = await platform.audit.search({ ...queryOf(c, rest), limit, ...(cursor && { beforeSeq: Number(cursor) }) })
    return c.json({ data: docs.map(view), nextCursor: docs.length === limit ? String(docs.at(-1)!.seq) : null })
  })

  app.get('/orgs/:orgId/audit/export', requires('audit:read'), async (c) => {
    const query = queryOf(c, parseQuery(c, auditExportQuery))
    await appendAudit(platform.audit, platform.logger, c, { action: AuditActions.sensitiveRead, outcome: 'success', orgId: query.orgId, target: { type: 'audit_log', id: query.orgId! }, detail: { export: 'ndjson' } })
    c.header('content-type', 'application/x-ndjson')
    c.header('content-disposition', `attachment; filename="audit-org-${query.orgId}.ndjson"`)
    return stream(c, async (out) => {
      let beforeSeq: number | undefined
      for (;;) {
        const page = await platform.audit.search({ ...query, limit: 1000, ...(beforeSeq !== undefined && { beforeSeq }) })
        if (page.length > 0) await out.write(page.map((d) => JSON.stringify(view(d))).join('\n') + '\n')
        if (page.length < 1000) break
        beforeSeq = page.at(-1)!.seq
      }
    })
  })

  app.get('/audit/verify', requires('instance:read'), async (c) => c.json(await platform.audit.verify()))

  return app
}
