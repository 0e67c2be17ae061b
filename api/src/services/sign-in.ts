/**
 * Password sign-in with throttling through the cache port (so limits hold across API replicas
 * with Redis): at most `ipPerWindow` attempts per client IP per window, and an account is locked
 * for `lockMinutes` after `failuresBeforeLock` failures in a row. Unknown accounts cost the same
 * argon2 work and count failures the same way, so answers do not tell which emails exist.
 */
import type { Context } from 'hono'
import { createSession, findUserByEmail, normalizeEmail, readSecurityPolicy, verifyPassword, type IssuedSession, type UserDoc } from '@faultline/core/accounts'
import { AuditActions } from '@faultline/core/audit'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { appendAudit, clientIp } from './audit-trail'

export interface LoginLimits {
  ipPerWindow: number
  windowMinutes: number
  failuresBeforeLock: number
  lockMinutes: number
}

export const defaultLoginLimits: LoginLimits = { ipPerWindow: 30, windowMinutes: 15, failuresBeforeLock: 5, lockMinutes: 15 }

export type PasswordStep = { user: UserDoc; issued: IssuedSession; secondFactorDue: boolean }

type Deps = Pick<Platform, 'accounts' | 'cache' | 'audit' | 'logger'>

export async function passwordSignIn(deps: Deps, c: Context, email: string, password: string, limits = defaultLoginLimits): Promise<PasswordStep> {
  const account = normalizeEmail(email)
  const ip = clientIp(c) ?? 'unknown'
  const windowMs = limits.windowMinutes * 60_000
  const audit = (fields: Parameters<typeof appendAudit>[3]) => appendAudit(deps.audit, deps.logger, c, fields)
  const anonymous = { type: 'anonymous' as const, id: '', name: account }

  const perIp = await deps.cache.consume(`login:ip:${ip}`, 1, limits.ipPerWindow, windowMs)
  if (!perIp.allowed) {
    await audit({ action: AuditActions.rateLimitExceeded, outcome: 'failure', actor: anonymous, detail: { limit: limits.ipPerWindow, scope: 'sign-in per IP' } })
    throw tooMany(perIp.retryAfterMs, 'Too many sign-in attempts from this address')
  }
  const lockKey = `login:lock:${account}`
  const lockedUntil = Number(await deps.cache.get(lockKey))
  if (lockedUntil > Date.now()) {
    await audit({ action: AuditActions.loginFail, outcome: 'failure', actor: anonymous, detail: { reason: 'locked' } })
    throw tooMany(lockedUntil - Date.now(), 'This account is locked for a while after repeated failures')
  }

  const user = await findUserByEmail(deps.accounts, account)
  const valid = (await verifyPassword(user?.passwordHash, password)) && user !== null && !user.disabled
  const failKey = `login:fail:${account}`
  if (!valid) {
    const failures = await deps.cache.increment(failKey, 1, windowMs)
    const actor = user ? { type: 'user' as const, id: user._id, name: user.email } : anonymous
    await audit({ action: AuditActions.loginFail, outcome: 'failure', actor, detail: { failures } })
    if (failures >= limits.failuresBeforeLock) {
      const until = Date.now() + limits.lockMinutes * 60_000
      await deps.cache.set(lockKey, String(until), limits.lockMinutes * 60_000)
      await deps.cache.delete(failKey)
      await audit({ action: AuditActions.loginLock, outcome: 'failure', actor, detail: { failures, lockMinutes: limits.lockMinutes } })
    }
    throw httpError(401, 'Wrong email or password')
  }
  const previousFailures = Number(await deps.cache.get(failKey)) || 0
  await deps.cache.delete(failKey)
  const policy = await readSecurityPolicy(deps.accounts.settings)
  const secondFactorDue = user.mfa !== undefined
  const issued = await createSession(deps.accounts.sessions, {
    user,
    policy,
    state: secondFactorDue ? 'pending' : 'active',
    mfaVerified: false,
    ip,
    userAgent: c.req.header('user-agent'),
  })
  const actor = { type: 'user' as const, id: user._id, name: user.email }
  await audit({
    action: previousFailures > 0 ? AuditActions.loginSuccessAfterFail : AuditActions.loginSuccess,
    outcome: 'success',
    actor,
    detail: { retries: previousFailures, secondFactorDue },
  })
  if (!secondFactorDue) await audit({ action: AuditActions.sessionCreated, outcome: 'success', actor })
  return { user, issued, secondFactorDue }
}

function tooMany(retryAfterMs: number, detail: string) {
  return httpError(429, detail, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) })
}
