/** API tokens: the organization's (admins) and the signed-in user's personal ones. Shown once, stored hashed, revocable. */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { ApiTokenDoc } from '@faultline/core/accounts'
import { announceCredentialChange, CredentialKinds } from '@faultline/core/credentials'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import type { Filter } from '@faultline/core/ports'
import { requires, scopablePermissions, type ApiEnv, type Permission } from '../permissions'
import { parseJsonBody, parseParam } from '../validation'
import { appendAudit } from '../services/audit-trail'
import { issueToken, tokenAudit, tokenView } from '../services/token-grants'
import type { TokenCache } from '../middleware/authenticate'

const idSchema = z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be a number')
const tokenIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a token id')
const tokenFields = {
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(scopablePermissions as [Permission, ...Permission[]])).min(1).max(100),
  projectIds: z.array(idSchema).min(1).max(100).optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
}
export const orgTokenBody = z.object(tokenFields).strict()
export const personalTokenBody = z.object({ ...tokenFields, orgId: idSchema.optional() }).strict()

export function tokenRoutes(platform: Platform, cache: TokenCache): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()

  const revoke = async (c: Context<ApiEnv>, filter: Filter, orgId?: string) => {
    const tokenId = parseParam(c, 'tokenId', tokenIdSchema)
    const doc = await platform.accounts.tokens.findOneAndUpdate({ ...filter, _id: tokenId, revokedAt: null }, { $set: { revokedAt: Date.now() } })
    if (!doc) throw httpError(404, `No active token ${tokenId.slice(0, 12)}…`)
    cache.forget(doc._id)
    await announceCredentialChange(platform.cache, platform.logger, CredentialKinds.apiToken, doc._id)
    await appendAudit(platform.audit, platform.logger, c, { action: tokenAudit.revoked, outcome: 'success', ...(orgId && { orgId }), target: { type: 'token', id: doc.prefix } })
    return c.body(null, 204)
  }
  const created = async (c: Context<ApiEnv>, issued: { token: string; doc: ApiTokenDoc }) => {
    await appendAudit(platform.audit, platform.logger, c, {
      action: tokenAudit.created,
      outcome: 'success',
      ...(issued.doc.orgId && { orgId: issued.doc.orgId }),
      target: { type: 'token', id: issued.doc.prefix },
      detail: { kind: issued.doc.kind, scopes: issued.doc.scopes.join(' '), projects: issued.doc.projectIds?.join(' ') ?? null },
    })
    return c.json({ token: issued.token, ...tokenView(issued.doc) }, 201)
  }

  app.get('/orgs/:orgId/tokens', requires('tokens:read'), async (c) => {
    const docs = await platform.accounts.tokens.find({ orgId: c.get('access').orgId!, kind: 'org' }, { sort: { field: 'createdAt', direction: 'desc' }, limit: 1000 })
    return c.json({ data: docs.map(tokenView) })
  })

  app.post('/orgs/:orgId/tokens', requires('tokens:write'), async (c) => {
    const body = await parseJsonBody(c, orgTokenBody)
    const { principal, orgId } = c.get('access')
    return created(c, await issueToken(platform, principal!, { ...body, kind: 'org', orgId: orgId!, ...(principal!.user && { userId: principal!.user._id }) }))
  })

  app.delete('/orgs/:orgId/tokens/:tokenId', requires('tokens:write'), (c) => revoke(c, { orgId: c.get('access').orgId!, kind: 'org' }, c.get('access').orgId))

  app.get('/me/tokens', requires('account:read'), async (c) => {
    const user = c.get('access').principal!.user
    const docs = user ? await platform.accounts.tokens.find({ userId: user._id, kind: 'personal' }, { sort: { field: 'createdAt', direction: 'desc' }, limit: 1000 }) : []
    return c.json({ data: docs.map(tokenView) })
  })

  app.post('/me/tokens', requires('account:write'), async (c) => {
    const body = await parseJsonBody(c, personalTokenBody)
    const principal = c.get('access').principal!
    return created(c, await issueToken(platform, principal, { ...body, kind: 'personal', userId: principal.user!._id }))
  })

  app.delete('/me/tokens/:tokenId', requires('account:write'), (c) => revoke(c, { userId: c.get('access').principal!.user!._id, kind: 'personal' }))

  return app
}
