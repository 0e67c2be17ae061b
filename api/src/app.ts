/**
 * The REST API tier under /api/v1: who is calling (`authenticate`), then each route's declared
 * permission (`requires`, checked against the one matrix in `permissions/matrix.ts`); a route that
 * declares nothing is refused by `denyUndeclared`.
 */
import { Hono, type Context } from 'hono'
import type { Platform } from '@faultline/core/platform'
import { openOutcomes } from '@faultline/core/outcomes'
import { authenticate, tokenCache } from './middleware/authenticate'
import { apiCors, apiRateLimit, apiSecurityHeaders } from './middleware/hardening'
import { declaredRoutes, denyUndeclared, requires, type ApiEnv, type Principal } from './permissions'
import { createAuthorizer } from './services/authorizer'
import { AuditActions } from '@faultline/core/audit'
import { auditWrites, appendAudit } from './services/audit-trail'
import { authRoutes } from './routes/auth'
import { tokenRoutes } from './routes/tokens'
import { keyRoutes } from './routes/keys'
import { auditRoutes } from './routes/audit'
import { memberRoutes } from './routes/members'
import { elevationRoutes } from './routes/elevations'
import { ssoRoutes } from './routes/sso'
import { announceSetup, setupRoutes } from './routes/setup'
import { issueRoutes } from './routes/issues'
import { projectRoutes } from './routes/projects'
import { deadLetterRoutes } from './routes/dead-letters'
import { patternRoutes } from './routes/patterns'
import { intelligenceRoutes } from './routes/intelligence'
import { securityRoutes } from './routes/security'
import { openApiDocument } from './openapi'
import { buildDir } from '@faultline/dashboard'
import { dashboardAssets } from './dashboard'
import { dashboardAccessRoutes } from './routes/dashboard-access'
import { issueActivityRoutes } from './routes/issue-activity'
import { dashboardSearchRoutes } from './routes/dashboard-search'
import { PrivacySettingsStore } from '@faultline/core/privacy'
import { privacyRoutes } from './routes/privacy'
import { ErasureService } from './services/privacy-erasure'
import { openAlertingStores } from '@faultline/alerting'
import { alertingRoutes } from './routes/alerting'
import { incidentRoutes } from './routes/alerting-incidents'
import { slackInteractionRoutes } from './routes/slack-interactions'
import { unsubscribeRoutes } from './routes/alerting-unsubscribe'
import { icalFeedRoutes } from './routes/alerting-ical-feeds'

export interface ApiTier {
  app: Hono
}

export async function createApiTier(platform: Platform, publicUrl: string): Promise<ApiTier> {
  const outcomes = await openOutcomes(platform.metadata)
  const privacySettings = await PrivacySettingsStore.open(platform.metadata, { scrubIpAddresses: platform.config.scrub.scrubIpAddresses })
  const erasures = await ErasureService.open(platform)
  await erasures.resume()
  const alerting = await openAlertingStores(platform.metadata)
  const audit = (c: Parameters<typeof appendAudit>[2], fields: Parameters<typeof appendAudit>[3], principal?: Principal) =>
    appendAudit(platform.audit, platform.logger, c, fields, principal)
  const authorizer = createAuthorizer(platform, {
    refused: (c, principal, permission, reason) =>
      audit(c, { action: AuditActions.authzFail, outcome: 'failure', target: { type: 'route', id: `${c.req.method} ${c.req.path}` }, detail: { permission, reason } }, principal),
  })
  const tokens = tokenCache(platform.accounts, platform.config.credentials.cacheTtlMs)
  await tokens.listen(platform.cache, platform.logger)
  const rateLimited = (c: Context, scope: string, limit: number) => audit(c, { action: AuditActions.rateLimitExceeded, outcome: 'failure', detail: { scope, limit } })
  const secureCookies = publicUrl.startsWith('https:')
  const app = new Hono()
  const v1 = new Hono<ApiEnv>()
  v1.use('*', apiSecurityHeaders())
  const corsPolicy = apiCors(platform.config.api.corsOrigins)
  if (corsPolicy) v1.use('*', corsPolicy)
  v1.use('*', async (c, next) => {
    c.set('authorizer', authorizer)
    await next()
  })
  v1.use('*', apiRateLimit(platform.cache, 'ip', platform.config.api.ipRateLimitPerMinute, rateLimited))
  v1.use(
    '*',
    authenticate(platform.accounts, tokens, platform.logger, {
      onTokenRefused: (c, { token, state }) =>
        audit(c, {
          action: state === 'revoked' ? AuditActions.tokenReuse : AuditActions.tokenExpiredUse,
          outcome: 'failure',
          actor: { type: 'token', id: token.prefix, name: token.name },
          ...(token.orgId && { orgId: token.orgId }),
          target: { type: 'route', id: `${c.req.method} ${c.req.path}` },
        }),
      onSessionRefused: (c, { reason, doc }) =>
        audit(c, {
          action: reason === 'revoked' ? AuditActions.sessionUseAfterExpire : AuditActions.sessionExpired,
          outcome: 'failure',
          actor: { type: 'user', id: doc?.userId ?? '' },
          detail: { reason },
        }),
    }),
  )
  v1.use('*', apiRateLimit(platform.cache, 'caller', platform.config.api.rateLimitPerMinute, rateLimited))
  v1.use('*', denyUndeclared(platform.logger))
  v1.use('*', auditWrites(platform.audit, platform.logger))
  let document: object | undefined
  // Built on first request, once every route is registered: the router decides what it lists.
  v1.get('/openapi.json', requires('public'), (c) => c.json((document ??= openApiDocument(publicUrl, declaredRoutes(app)))))
  v1.route('/', setupRoutes(platform, secureCookies))
  v1.route('/', authRoutes(platform, secureCookies))
  v1.route('/', memberRoutes(platform, publicUrl, secureCookies))
  v1.route('/', ssoRoutes(platform, publicUrl, secureCookies))
  v1.route('/', tokenRoutes(platform, tokens))
  v1.route('/', elevationRoutes(platform))
  v1.route('/', keyRoutes(platform, publicUrl))
  v1.route('/', auditRoutes(platform))
  v1.route('/', issueRoutes(platform))
  v1.route('/', projectRoutes(platform, outcomes, publicUrl))
  v1.route('/', deadLetterRoutes(platform))
  v1.route('/', patternRoutes(platform))
  v1.route('/', intelligenceRoutes(platform))
  v1.route('/', dashboardAccessRoutes(platform))
  v1.route('/', issueActivityRoutes(platform))
  v1.route('/', dashboardSearchRoutes(platform))
  v1.route('/', privacyRoutes(platform, privacySettings, erasures))
  v1.route('/', securityRoutes(platform))
  v1.route('/', alertingRoutes(platform, alerting))
  v1.route('/', incidentRoutes(platform, alerting))
  v1.route('/', slackInteractionRoutes(platform, alerting))
  v1.route('/', unsubscribeRoutes(platform, alerting))
  v1.route('/', icalFeedRoutes(platform, alerting, publicUrl))
  app.route('/api/v1', v1)
  // The dashboard's pages and files, on the same port as the API (after it: /api paths are never its).
  app.route('/', dashboardAssets({ buildDir }))
  await announceSetup(platform, publicUrl)
  return { app }
}
