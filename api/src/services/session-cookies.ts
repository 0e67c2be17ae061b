/**
 * The two cookies of a browser session: `fl_session` (httpOnly, SameSite=Lax, Secure when served
 * over TLS) holds the session id; `fl_csrf` (readable by the page, SameSite=Strict) holds the CSRF
 * token the page echoes in `x-csrf-token` on writes.
 */
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { hashToken, type IssuedSession } from '@faultline/core/accounts'
import { csrfCookie, sessionCookie } from '../middleware/authenticate'

export function setSessionCookies(c: Context, issued: IssuedSession, secure: boolean): void {
  const maxAge = Math.max(1, Math.floor((issued.doc.expiresAt - Date.now()) / 1000))
  setCookie(c, sessionCookie, issued.cookie, { httpOnly: true, secure, sameSite: 'Lax', path: '/', maxAge })
  setCookie(c, csrfCookie, issued.csrfToken, { httpOnly: false, secure, sameSite: 'Strict', path: '/', maxAge })
}

export function clearSessionCookies(c: Context, secure: boolean): void {
  deleteCookie(c, sessionCookie, { path: '/', secure })
  deleteCookie(c, csrfCookie, { path: '/', secure })
}

/** The stored id of the session the request's cookie names (whatever its state), if any. */
export function presentedSessionId(c: Context): string | undefined {
  const cookie = getCookie(c, sessionCookie)
  return cookie === undefined ? undefined : hashToken(cookie)
}
