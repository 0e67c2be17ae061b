/**
 * DSN keys of a project: list, create, rotate (the old key keeps working for an overlap period
 * beside its successor, so deployed SDKs can be moved over), change (label, per-key rate limit,
 * disabled), revoke. Every change is announced to ingest's key caches on every replica, which
 * drop the key at once (`@faultline/core/credentials`).
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { AuditActions } from '@faultline/core/audit'
import { announceCredentialChange, CredentialKinds } from '@faultline/core/credentials'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { createProjectKey, formatDsn, type ProjectKeyDoc } from '@faultline/core/projects'
import { requires, type ApiEnv } from '../permissions'
import { parseJsonBody, parseParam } from '../validation'
import { appendAudit } from '../services/audit-trail'

const publicKeySchema = z.string().regex(/^[0-9a-f]{32}$/, 'must be a 32-hex public key')
const rateLimit = z.number().int().min(1).max(100_000_000)
export const newKeyBody = z.object({ label: z.string().trim().min(1).max(100), rateLimitPerMinute: rateLimit.optional() }).strict()
export const rotateKeyBody = z.object({ overlapMinutes: z.number().int().min(0).max(30 * 1440).default(1440) }).strict()
export const keyChangeBody = z.object({ label: z.string().trim().min(1).max(100).optional(), rateLimitPerMinute: rateLimit.nullable().optional(), disabled: z.boolean().optional() }).strict()

export function keyRoutes(platform: Platform, publicUrl: string): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString())
  const view = (k: ProjectKeyDoc) => ({
    publicKey: k._id,
    label: k.label,
    disabled: k.disabled,
    rateLimitPerMinute: k.rateLimitPerMinute ?? null,
    createdAt: iso(k.createdAt),
    expiresAt: iso(k.expiresAt),
    revokedAt: iso(k.revokedAt),
    dsn: formatDsn(publicUrl, k),
  })
  const audit = (c: Parameters<typeof appendAudit>[2], action: (typeof AuditActions)['keyCreated' | 'keyRotated' | 'keyRevoked' | 'sensitiveUpdate'], key: ProjectKeyDoc, detail?: Record<string, string | number>) =>
    appendAudit(platform.audit, platform.logger, c, { action, outcome: 'success', orgId: key.orgId, target: { type: 'project_key', id: key._id }, detail: { projectId: key.projectId, ...detail } })

  const changed = (publicKey: string) => announceCredentialChange(platform.cache, platform.logger, CredentialKinds.projectKey, publicKey)

  const load = async (projectId: string, publicKey: string) => {
    const key = await platform.projects.keys.get(publicKey)
    if (!key || key.projectId !== projectId) throw httpError(404, `No key ${publicKey} in project ${projectId}`)
    return key
  }

  app.get('/projects/:projectId/keys', requires('keys:read'), async (c) => {
    const project = c.get('access').project!
    const keys = await platform.projects.keys.find({ orgId: project.orgId, projectId: project._id }, { limit: 1000 })
    return c.json({ data: keys.map(view) })
  })

  app.post('/projects/:projectId/keys', requires('keys:write'), async (c) => {
    const body = await parseJsonBody(c, newKeyBody)
    const key = await createProjectKey(platform.projects, c.get('access').project!, body.label, Date.now(), body.rateLimitPerMinute)
    await audit(c, AuditActions.keyCreated, key)
    return c.json(view(key), 201)
  })

  app.post('/projects/:projectId/keys/:publicKey/rotate', requires('keys:write'), async (c) => {
    const project = c.get('access').project!
    const old = await load(project._id, parseParam(c, 'publicKey', publicKeySchema))
    if (old.revokedAt !== undefined) throw httpError(409, 'A revoked key cannot be rotated')
    const { overlapMinutes } = await parseJsonBody(c, rotateKeyBody)
    const now = Date.now()
    const successor = await createProjectKey(platform.projects, project, old.label, now, old.rateLimitPerMinute)
    const expiresAt = Math.min(old.expiresAt ?? Infinity, now + overlapMinutes * 60_000)
    const retired = await platform.projects.keys.findOneAndUpdate({ _id: old._id }, { $set: { expiresAt } })
    await changed(old._id)
    await audit(c, AuditActions.keyRotated, old, { successor: successor._id, overlapMinutes })
    return c.json({ key: view(successor), previous: view(retired!) }, 201)
  })

  app.patch('/projects/:projectId/keys/:publicKey', requires('keys:write'), async (c) => {
    const key = await load(c.get('access').project!._id, parseParam(c, 'publicKey', publicKeySchema))
    const body = await parseJsonBody(c, keyChangeBody)
    const set: Record<string, unknown> = {}
    if (body.label !== undefined) set.label = body.label
    if (body.disabled !== undefined) set.disabled = body.disabled
    if (typeof body.rateLimitPerMinute === 'number') set.rateLimitPerMinute = body.rateLimitPerMinute
    const updated = await platform.projects.keys.findOneAndUpdate({ _id: key._id }, { $set: set, ...(body.rateLimitPerMinute === null && { $unset: ['rateLimitPerMinute'] }) })
    await changed(key._id)
    await audit(c, AuditActions.sensitiveUpdate, key, { change: Object.keys(body).join(' ') })
    return c.json(view(updated!))
  })

  app.delete('/projects/:projectId/keys/:publicKey', requires('keys:write'), async (c) => {
    const key = await load(c.get('access').project!._id, parseParam(c, 'publicKey', publicKeySchema))
    await platform.projects.keys.findOneAndUpdate({ _id: key._id, revokedAt: null }, { $set: { revokedAt: Date.now() } })
    await changed(key._id)
    await audit(c, AuditActions.keyRevoked, key)
    return c.body(null, 204)
  })

  return app
}
