/**
 * Finds out who is calling, once per request, before any route: an API token in
 * `Authorization: Bearer`, or (see `sessions`) a browser session cookie. Presenting no credentials
 * is not an error here (public routes exist; `requires` answers 401 for the rest), but presenting
 * bad ones is: an unknown, expired or revoked token is refused at once with the reason.
 *
 * Token lookups are cached by hash so a request costs no metadata read; a revocation is announced
 * to every replica, which drops its entry at once (`@faultline/core/credentials`). Last use is
 * written at most once a minute per token.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import { checkSession, hashToken, tokenState, touchSession, type AccountStores, type ApiTokenDoc, type SessionCheck, type UserDoc } from '@faultline/core/accounts'
import { CredentialCache, CredentialKinds } from '@faultline/core/credentials'
import { httpError } from '@faultline/core/http'
import type { Logger } from '@faultline/core/log'
import type { ApiEnv } from '../permissions'
import type { Principal } from '../permissions'

export interface TokenFailure {
  token: ApiTokenDoc
  state: 'expired' | 'revoked'
}

export interface AuthenticateOptions {
  /** Told when a known token is presented after it expired or was revoked (the audit log). */
  onTokenRefused?: (c: Context, failure: TokenFailure) => Promise<void>
  /** Told when a session cookie is presented after its session ended. */
  onSessionRefused?: (c: Context, failure: Extract<SessionCheck, { ok: false }>) => Promise<void>
}

export const sessionCookie = 'fl_session'
export const csrfCookie = 'fl_csrf'
export const csrfHeader = 'x-csrf-token'
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/** API tokens by hash (their `_id`). */
export type TokenCache = CredentialCache<ApiTokenDoc>

export function tokenCache(accounts: AccountStores, ttlMs: number): TokenCache {
  return new CredentialCache({ kind: CredentialKinds.apiToken, load: (hash) => accounts.tokens.get(hash), ttlMs })
}

const lastUseWriteMs = 60_000

export function authenticate(accounts: AccountStores, tokens: TokenCache, logger: Logger, options: AuthenticateOptions = {}): MiddlewareHandler<ApiEnv> {
  return async function authenticate(c, next) {
    const header = c.req.header('authorization')
    if (header !== undefined) c.set('principal', await tokenPrincipal(c, header))
    else {
      const cookie = getCookie(c, sessionCookie)
      if (cookie !== undefined) c.set('principal', await sessionPrincipal(c, cookie))
    }
    await next()
  }

  /**
   * A session opens the API only when active (a pending one waits for its second factor), and a
   * write through it must carry the session's CSRF token in `x-csrf-token` (browsers attach the
   * cookie to cross-site requests by themselves, but cannot read the token to send it).
   */
  async function sessionPrincipal(c: Context, cookie: string): Promise<Principal | undefined> {
    const now = Date.now()
    const check = await checkSession(accounts.sessions, cookie, (id) => accounts.users.get(id), now)
    if (!check.ok) {
      if (check.reason === 'unknown') return undefined
      await options.onSessionRefused?.(c, check)
      throw httpError(401, check.reason === 'revoked' ? 'This session was signed out' : 'This session has expired: sign in again')
    }
    if (check.doc.state !== 'active') return undefined
    if (!safeMethods.has(c.req.method)) {
      const sent = c.req.header(csrfHeader)
      if (!sent || hashToken(sent) !== check.doc.csrfHash) throw httpError(403, `Writes through a browser session must send the session's CSRF token in ${csrfHeader}`)
    }
    await touchSession(accounts.sessions, check.doc, now)
    return { kind: 'session', user: check.user, session: { id: check.doc._id, mfaVerified: check.doc.mfaVerified } }
  }

  async function tokenPrincipal(c: Context, header: string): Promise<Principal> {
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match) throw httpError(401, 'Send an API token as "Authorization: Bearer <token>"', { 'www-authenticate': 'Bearer' })
    const now = Date.now()
    const token = await tokens.get(hashToken(match[1]!), now)
    if (!token) throw httpError(401, 'Unknown API token', { 'www-authenticate': 'Bearer error="invalid_token"' })
    const state = tokenState(token, now)
    if (state !== 'active') {
      await options.onTokenRefused?.(c, { token, state })
      throw httpError(401, `This API token ${state === 'expired' ? 'has expired' : 'was revoked'}`, { 'www-authenticate': 'Bearer error="invalid_token"' })
    }
    let user: UserDoc | undefined
    if (token.kind === 'personal') {
      user = (await accounts.users.get(token.userId ?? '')) ?? undefined
      if (!user || user.disabled) throw httpError(401, 'The user of this API token no longer exists or is disabled', { 'www-authenticate': 'Bearer error="invalid_token"' })
    }
    if ((token.lastUsedAt ?? 0) + lastUseWriteMs <= now) {
      token.lastUsedAt = now
      accounts.tokens
        .updateMany({ _id: token._id }, { $set: { lastUsedAt: now } })
        .catch((error: unknown) => logger.warn('recording the last use of a token failed', { token: token.prefix, error }))
    }
    return { kind: 'token', token, user }
  }
}
