/**
 * Sign-in and the signed-in user's own account: password step, second factor, sign-out (here or
 * everywhere), password change, MFA enrolment. Every step is audited with its OWASP action name.
 * A new session id is issued at each privilege step, so a session id planted before sign-in
 * (fixation) never becomes a signed-in one.
 */
import { Hono, type Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { z } from 'zod'
import {
  checkSession,
  createSession,
  endAllSessions,
  endSession,
  hashPassword,
  maxPasswordLength,
  passwordProblem,
  readSecurityPolicy,
  verifyPassword,
  type UserDoc,
} from '@faultline/core/accounts'
import { AuditActions, type AuditAction } from '@faultline/core/audit'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { requires, type ApiEnv } from '../permissions'
import { parseJsonBody } from '../validation'
import { appendAudit } from '../services/audit-trail'
import { passwordSignIn } from '../services/sign-in'
import { activateEnrolment, beginEnrolment, disableMfa, verifySecondFactor } from '../services/mfa'
import { clearSessionCookies, presentedSessionId, setSessionCookies } from '../services/session-cookies'
import { sessionCookie } from '../middleware/authenticate'

const password = z.string().min(1).max(maxPasswordLength)
export const loginBody = z.object({ email: z.string().trim().min(3).max(254), password }).strict()
export const secondFactorBody = z.union([z.object({ code: z.string().regex(/^\d{6}$/, 'six digits') }).strict(), z.object({ recoveryCode: z.string().min(8).max(20) }).strict()])
export const passwordChangeBody = z.object({ currentPassword: password, newPassword: password }).strict()
export const mfaCodeBody = z.object({ code: z.string().regex(/^\d{6}$/, 'six digits') }).strict()

export function authRoutes(platform: Platform, secureCookies: boolean): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const audit = (c: Context, action: AuditAction, user: UserDoc, outcome: 'success' | 'failure' = 'success', detail?: Record<string, string | number | boolean>) =>
    appendAudit(platform.audit, platform.logger, c, { action, outcome, actor: { type: 'user', id: user._id, name: user.email }, target: { type: 'user', id: user._id }, ...(detail && { detail }) })

  /** Ends the session the request presented (fixation: its id must not survive sign-in). */
  const dropPresented = async (c: Context) => {
    const presented = presentedSessionId(c)
    if (presented) await endSession(platform.accounts.sessions, presented)
  }

  const userView = (user: UserDoc) => ({ id: user._id, email: user.email, name: user.name, instanceAdmin: user.instanceAdmin, mfaEnabled: user.mfa !== undefined })

  app.post('/auth/login', requires('public'), async (c) => {
    const body = await parseJsonBody(c, loginBody, 16 * 1024)
    const step = await passwordSignIn(platform, c, body.email, body.password)
    await dropPresented(c)
    setSessionCookies(c, step.issued, secureCookies)
    return c.json({ user: userView(step.user), secondFactorDue: step.secondFactorDue, csrfToken: step.issued.csrfToken })
  })

  app.post('/auth/mfa/verify', requires('public'), async (c) => {
    const body = await parseJsonBody(c, secondFactorBody, 16 * 1024)
    const cookie = getCookie(c, sessionCookie)
    const check = cookie === undefined ? undefined : await checkSession(platform.accounts.sessions, cookie, (id) => platform.accounts.users.get(id))
    if (!check?.ok || check.doc.state !== 'pending') throw httpError(401, 'Sign in with the password first')
    const { user } = check
    const rate = await platform.cache.consume(`mfa:user:${user._id}`, 1, 10, 15 * 60_000)
    if (!rate.allowed) throw httpError(429, 'Too many second-factor attempts', { 'retry-after': String(Math.ceil(rate.retryAfterMs / 1000)) })
    let used
    try {
      used = await verifySecondFactor(platform, user, body)
    } catch (error) {
      await audit(c, AuditActions.mfaFail, user, 'failure')
      throw error
    }
    await endSession(platform.accounts.sessions, check.doc._id)
    const policy = await readSecurityPolicy(platform.accounts.settings)
    const issued = await createSession(platform.accounts.sessions, { user, policy, state: 'active', mfaVerified: true, ip: check.doc.ip, userAgent: check.doc.userAgent })
    setSessionCookies(c, issued, secureCookies)
    if (used === 'recovery') await audit(c, AuditActions.mfaRecoveryUsed, user)
    await audit(c, AuditActions.sessionCreated, user, 'success', { secondFactor: used })
    return c.json({ user: userView(user), csrfToken: issued.csrfToken })
  })

  app.get('/auth/session', requires('account:read'), async (c) => {
    const principal = c.get('access').principal!
    const memberships = principal.user ? await platform.accounts.memberships.find({ userId: principal.user._id }, { limit: 1000 }) : []
    return c.json({
      kind: principal.kind,
      user: principal.user ? userView(principal.user) : null,
      memberships: memberships.map((m) => ({ orgId: m.orgId, role: m.role, teamIds: m.teamIds })),
      mfaVerified: principal.kind === 'session' ? principal.session.mfaVerified : null,
    })
  })

  app.post('/auth/logout', requires('account:write'), async (c) => {
    const principal = c.get('access').principal!
    if (principal.kind === 'session') await endSession(platform.accounts.sessions, principal.session.id)
    clearSessionCookies(c, secureCookies)
    return c.body(null, 204)
  })

  app.post('/auth/logout-everywhere', requires('account:write'), async (c) => {
    const user = c.get('access').principal!.user!
    await endAllSessions(platform.accounts.sessions, platform.accounts.users, user._id)
    clearSessionCookies(c, secureCookies)
    await audit(c, AuditActions.sessionRevokedAll, user)
    return c.body(null, 204)
  })

  app.put('/auth/password', requires('account:write'), async (c) => {
    const body = await parseJsonBody(c, passwordChangeBody, 16 * 1024)
    const user = c.get('access').principal!.user!
    if (!(await verifyPassword(user.passwordHash, body.currentPassword))) {
      await audit(c, AuditActions.passwordChangeFail, user, 'failure')
      throw httpError(403, 'The current password is wrong')
    }
    const policy = await readSecurityPolicy(platform.accounts.settings)
    const problem = passwordProblem(body.newPassword, { minLength: policy.passwordMinLength }, user.email)
    if (problem) throw httpError(400, problem)
    await platform.accounts.users.findOneAndUpdate({ _id: user._id }, { $set: { passwordHash: await hashPassword(body.newPassword) } })
    const csrfToken = await rotateAfterPrivilegeChange(c, user)
    await audit(c, AuditActions.passwordChange, user)
    return c.json({ csrfToken })
  })

  app.post('/auth/mfa/enroll', requires('account:write'), async (c) => c.json(await beginEnrolment(platform, c.get('access').principal!.user!)))

  app.post('/auth/mfa/activate', requires('account:write'), async (c) => {
    const body = await parseJsonBody(c, mfaCodeBody, 4096)
    const user = c.get('access').principal!.user!
    const recoveryCodes = await activateEnrolment(platform, user, body.code)
    const csrfToken = await rotateAfterPrivilegeChange(c, { ...user, mfa: { enabledAt: Date.now(), lastStep: 0, recovery: {} } }, true)
    await audit(c, AuditActions.mfaEnabled, user)
    return c.json({ recoveryCodes, csrfToken })
  })

  app.post('/auth/mfa/disable', requires('account:write'), async (c) => {
    const body = await parseJsonBody(c, mfaCodeBody, 4096)
    const user = c.get('access').principal!.user!
    await verifySecondFactor(platform, user, body)
    await disableMfa(platform, user)
    const csrfToken = await rotateAfterPrivilegeChange(c, user, false)
    await audit(c, AuditActions.mfaDisabled, user)
    return c.json({ csrfToken })
  })

  /**
   * After a password or MFA change every other session of the user ends (the epoch moves) and this
   * one continues under a new id; returns the new CSRF token.
   */
  async function rotateAfterPrivilegeChange(c: Context<ApiEnv>, user: UserDoc, mfaVerified?: boolean): Promise<string> {
    const principal = c.get('access').principal!
    await endAllSessions(platform.accounts.sessions, platform.accounts.users, user._id)
    const fresh = (await platform.accounts.users.get(user._id))!
    const policy = await readSecurityPolicy(platform.accounts.settings)
    const wasVerified = principal.kind === 'session' && principal.session.mfaVerified
    const issued = await createSession(platform.accounts.sessions, { user: fresh, policy, state: 'active', mfaVerified: mfaVerified ?? wasVerified })
    setSessionCookies(c, issued, secureCookies)
    await audit(c, AuditActions.sessionRenewed, user)
    return issued.csrfToken
  }

  return app
}
