/**
 * First-run setup over the API, for the dashboard's setup page: whether it is needed, and
 * completing it with the one-time token from the link `npm start` prints. Signs the new owner in.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { completeSetup, createSession, defaultSecurityPolicy, dropSetupTokens, hasOwner, issueSetupToken, maxPasswordLength, SetupError, validSetupToken } from '@faultline/core/accounts'
import { AuditActions } from '@faultline/core/audit'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { requires, type ApiEnv } from '../permissions'
import { parseJsonBody, sluggedNameSchema } from '../validation'
import { appendAudit } from '../services/audit-trail'
import { setSessionCookies } from '../services/session-cookies'

export const setupBody = z
  .object({
    token: z.string().min(10).max(100),
    organization: sluggedNameSchema,
    email: z.string().trim().email().max(254),
    name: z.string().trim().min(1).max(100),
    password: z.string().min(1).max(maxPasswordLength),
    mfaRequired: z.boolean().default(false),
    sessionIdleMinutes: z.number().int().min(5).max(24 * 60).default(defaultSecurityPolicy.sessionIdleMinutes),
    sessionAbsoluteHours: z.number().int().min(1).max(30 * 24).default(defaultSecurityPolicy.sessionAbsoluteHours),
    passwordMinLength: z.number().int().min(8).max(128).default(defaultSecurityPolicy.passwordMinLength),
  })
  .strict()

export function setupRoutes(platform: Platform, secureCookies: boolean): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()

  app.get('/setup', requires('public'), async (c) => c.json({ required: !(await hasOwner(platform.accounts)) }))

  app.post('/setup', requires('public'), async (c) => {
    const body = await parseJsonBody(c, setupBody, 16 * 1024)
    if (await hasOwner(platform.accounts)) throw httpError(409, 'Setup is done already')
    if (!(await validSetupToken(platform.accounts, body.token))) throw httpError(403, 'This setup link is unknown or expired: restart Faultline for a new one')
    const { sessionIdleMinutes, sessionAbsoluteHours, passwordMinLength } = body
    const policy = { sessionIdleMinutes, sessionAbsoluteHours, passwordMinLength }
    let done
    try {
      done = await completeSetup(platform.accounts, { organization: body.organization, email: body.email, name: body.name, password: body.password, policy, mfaRequired: body.mfaRequired })
    } catch (error) {
      if (error instanceof SetupError) throw httpError(error.code === 'done' ? 409 : 400, error.message)
      throw error
    }
    await dropSetupTokens(platform.accounts)
    const actor = { type: 'user' as const, id: done.owner._id, name: done.owner.email }
    await appendAudit(platform.audit, platform.logger, c, { action: AuditActions.setupCompleted, outcome: 'success', orgId: done.org._id, actor, target: { type: 'organization', id: done.org._id }, detail: { ...policy, mfaRequired: body.mfaRequired } })
    const issued = await createSession(platform.accounts.sessions, { user: done.owner, policy, state: 'active', mfaVerified: false })
    setSessionCookies(c, issued, secureCookies)
    return c.json({ orgId: done.org._id, userId: done.owner._id, csrfToken: issued.csrfToken }, 201)
  })

  return app
}

/** When nobody owns the instance yet, prints a one-time setup link (to the console, never the log). */
export async function announceSetup(platform: Platform, publicUrl: string): Promise<void> {
  if (await hasOwner(platform.accounts)) return
  const token = await issueSetupToken(platform.accounts)
  console.log(
    `\nFaultline has no owner yet. Open this one-time link within 24 hours to create the first organization and owner:\n  ${publicUrl.replace(/\/$/, '')}/setup?token=${token}\n(or run: npm run faultline -- setup)\n`,
  )
}
