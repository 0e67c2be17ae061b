import type { Context, MiddlewareHandler } from 'hono'
import { getClient, type User } from '@faultline/sdk-core'
import { withIsolatedScope } from '../scope'
import { buildRequestData, clientIp, userWithIp } from './request-data'

export interface HonoMiddlewareOptions {
  /** The user of this request, read after the handlers ran (so auth middleware has set it). */
  getUser?: (c: Context) => User | undefined
  /** Which errors to report; default: those answered with a 5xx. */
  shouldReport?: (error: Error, status: number) => boolean
}

function matchedRoute(c: Context): string | undefined {
  // The last matched route that is not a catch-all middleware is the handler's route.
  const routes = c.req.matchedRoutes.filter((r) => r.method !== 'ALL')
  return routes[routes.length - 1]?.path ?? c.req.matchedRoutes[c.req.matchedRoutes.length - 1]?.path
}

/**
 * `app.use(faultlineHono())`: one isolated scope per request, request data and route attached, and
 * errors that hono turned into responses (via `onError`) reported with their status code. Hono
 * keeps handling the error exactly as before; the middleware only observes `c.error`.
 */
export function faultlineHono(options: HonoMiddlewareOptions = {}): MiddlewareHandler {
  const shouldReport = options.shouldReport ?? ((_error: Error, status: number) => status >= 500)
  return async function faultline(c, next) {
    return withIsolatedScope(async (scope) => {
      // Built lazily: on the hot path a request that reports nothing costs no header copying.
      scope.setRequest(() => buildRequestData(c.req.method, c.req.url, Object.fromEntries(c.req.raw.headers)))
      await next()
      try {
        const error = c.error
        const status = c.res.status
        if (error && shouldReport(error, status)) {
          const route = matchedRoute(c)
          if (route) scope.setTransactionName(`${c.req.method} ${route}`)
          const user = options.getUser?.(c)
          const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
          const ip = clientIp(Object.fromEntries(c.req.raw.headers), incoming?.socket?.remoteAddress)
          const withIp = userWithIp(user ? { ...scope.user, ...user } : scope.user, ip)
          if (withIp) scope.setUser(withIp)
          scope.setTag('http.status_code', status)
          getClient()?.captureException(error, { mechanism: { type: 'hono', handled: false, data: { status_code: status } } }, scope)
        }
      } catch {
        // Reporting problems stay inside the SDK.
      }
    })
  }
}
