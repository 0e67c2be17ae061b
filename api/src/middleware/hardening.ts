/**
 * HTTP hardening for the REST API: security headers on every answer, CORS only for the origins
 * configured in API_CORS_ORIGINS (with credentials, so a dashboard on another origin can use its
 * session), and request limits per client IP and per caller (user or token) through the cache
 * port, so they hold across replicas with Redis.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import { secureHeaders } from 'hono/secure-headers'
import type { Cache } from '@faultline/core/ports'
import { httpError } from '@faultline/core/http'
import type { ApiEnv, Principal } from '../permissions'
import { clientIp } from '../services/audit-trail'

export function apiSecurityHeaders(): MiddlewareHandler {
  return secureHeaders({
    // JSON only: nothing here may be framed, run scripts or load anything.
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    crossOriginResourcePolicy: 'same-origin',
    referrerPolicy: 'no-referrer',
    xFrameOptions: 'DENY',
  })
}

export function apiCors(origins: string[]): MiddlewareHandler | undefined {
  if (origins.length === 0) return undefined
  return cors({
    origin: origins,
    credentials: true,
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['authorization', 'content-type', 'x-csrf-token'],
    exposeHeaders: ['retry-after'],
    maxAge: 600,
  })
}

const windowMs = 60_000

/**
 * One limit: per client IP (mounted before authentication, so a flood of bad credentials is cut
 * before it costs lookups) or per caller (after it). `onExceeded` is told once per window and key.
 */
export function apiRateLimit(
  cache: Cache,
  scope: 'ip' | 'caller',
  perMinute: number,
  onExceeded?: (c: Context, scope: 'ip' | 'caller', limit: number) => Promise<void>,
): MiddlewareHandler<ApiEnv> {
  return async function apiRateLimit(c, next) {
    const principal = c.get('principal')
    const key = scope === 'ip' ? `ip:${clientIp(c) ?? 'local'}` : principal ? callerKey(principal) : undefined
    if (key !== undefined && perMinute > 0) {
      const result = await cache.consume(`rl:api:${key}`, 1, perMinute, windowMs)
      if (!result.allowed) {
        if (await cache.setIfAbsent(`rl:api:told:${key}`, '1', result.retryAfterMs + 1)) await onExceeded?.(c, scope, perMinute)
        const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000))
        throw httpError(429, `More than ${perMinute} API requests per minute from this ${scope === 'ip' ? 'address' : 'caller'}`, { 'retry-after': String(seconds) })
      }
    }
    await next()
  }
}

function callerKey(principal: Principal): string {
  return principal.kind === 'token' ? `token:${principal.token._id}` : `user:${principal.user._id}`
}
