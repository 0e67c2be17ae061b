/** Single sign-on routes: per-organization OIDC settings, the start of a sign-in, and the provider's callback. */
import { Hono } from 'hono'
import { z } from 'zod'
import { createSession, readSecurityPolicy } from '@faultline/core/accounts'
import { AuditActions } from '@faultline/core/audit'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { requires, type ApiEnv } from '../permissions'
import { parseJsonBody, parseQuery } from '../validation'
import { appendAudit } from '../services/audit-trail'
import { setSessionCookies } from '../services/session-cookies'
import { finishSso, readSsoSettings, ssoSettingsBody, startSso, writeSsoSettings } from '../services/sso'

const startQuery = z.object({ returnTo: z.string().regex(/^\/(?!\/)[^\s\\]{0,500}$/, 'must be a path on this site').default('/') }).strict()

export function ssoRoutes(platform: Platform, publicUrl: string, secureCookies: boolean): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const redirectUri = `${publicUrl.replace(/\/$/, '')}/api/v1/auth/sso/callback`

  app.get('/orgs/:orgId/sso', requires('organization:write'), async (c) => c.json({ settings: await readSsoSettings(platform, c.get('access').orgId!), redirectUri }))

  app.put('/orgs/:orgId/sso', requires('organization:write'), async (c) => {
    const orgId = c.get('access').orgId!
    const body = await parseJsonBody(c, ssoSettingsBody)
    await writeSsoSettings(platform, orgId, body)
    await appendAudit(platform.audit, platform.logger, c, { action: AuditActions.settingChanged, outcome: 'success', orgId, target: { type: 'sso', id: orgId }, detail: { issuer: body.issuer, jitUsers: body.jitUsers } })
    return c.json({ settings: await readSsoSettings(platform, orgId), redirectUri })
  })

  app.get('/auth/sso/:orgSlug/start', requires('public'), async (c) => {
    const org = await platform.accounts.organizations.findOne({ slug: c.req.param('orgSlug').slice(0, 60) })
    if (!org) throw httpError(404, 'No such organization')
    const { returnTo } = parseQuery(c, startQuery)
    return c.redirect((await startSso(platform, org._id, redirectUri, returnTo)).toString(), 302)
  })

  app.get('/auth/sso/callback', requires('public'), async (c) => {
    const url = new URL(c.req.url)
    const callback = new URL(redirectUri)
    callback.search = url.search
    const result = await finishSso(platform, callback)
    const policy = await readSecurityPolicy(platform.accounts.settings)
    const issued = await createSession(platform.accounts.sessions, { user: result.user, policy, state: 'active', mfaVerified: result.mfaAtProvider })
    setSessionCookies(c, issued, secureCookies)
    const actor = { type: 'user' as const, id: result.user._id, name: result.user.email }
    if (result.created) await appendAudit(platform.audit, platform.logger, c, { action: AuditActions.userCreated, outcome: 'success', orgId: result.orgId, actor, target: { type: 'user', id: result.user._id }, detail: { via: 'sso', role: result.role } })
    await appendAudit(platform.audit, platform.logger, c, { action: AuditActions.ssoLogin, outcome: 'success', orgId: result.orgId, actor, detail: { role: result.role } })
    return c.redirect(result.returnTo, 302)
  })

  return app
}
