import type { Context, MiddlewareHandler } from 'hono'
import { getClient, getScopeManager, logger, type Scope, type User } from '@faultline/sdk-core'
import { forkScope } from '../scope'
import { buildRequestData, clientIp, userWithIp } from './request-data'

export interface HonoMiddlewareOptions {
  /** The user of this request, read after the handlers ran (so auth middleware has set it). */
  getUser?: (c: Context) => User | undefined
  /** Which errors to report; default: those answered with a 5xx. */
  shouldReport?: (error: Error, status: number) => boolean
}

type NodeIncoming = { headers?: Record<string, string | string[] | undefined>; socket?: { remoteAddress?: string } }

/**
 * The request headers as a plain record. On @hono/node-server the IncomingMessage's own header
 * object is used: `c.req.raw.headers` would build a WHATWG Headers copy of it first.
 */
function headersOf(c: Context, incoming: NodeIncoming | undefined): Record<string, string | string[] | undefined> {
  return incoming?.headers ?? Object.fromEntries(c.req.raw.headers)
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

  const report = (c: Context, scope: Scope, incoming: NodeIncoming | undefined): void => {
    try {
      const error = c.error
      if (!error) return
      const status = c.res.status
      if (!shouldReport(error, status)) return
      const route = matchedRoute(c)
      if (route) scope.setTransactionName(`${c.req.method} ${route}`)
      const user = options.getUser?.(c)
      const ip = getClient()?.options.sendDefaultPii ? clientIp(headersOf(c, incoming), incoming?.socket?.remoteAddress) : undefined
      const withIp = userWithIp(user ? { ...scope.user, ...user } : scope.user, ip)
      if (withIp) scope.setUser(withIp)
      scope.setTag('http.status_code', status)
      getClient()?.captureException(error, { mechanism: { type: 'hono', handled: false, data: { status_code: status } } }, scope)
    } catch (failure) {
      logger.warn('hono middleware could not report an error', failure)
    }
  }

  // Not an async function: every promise is paid for again by AsyncLocalStorage's promise hooks on
  // each request, so the middleware adds one (`then`) instead of four.
  return function faultline(c, next) {
    const scope = forkScope()
    const incoming = (c.env as { incoming?: NodeIncoming } | undefined)?.incoming
    // Built lazily: on the hot path a request that reports nothing costs no header copying.
    scope.setRequest(() => buildRequestData(c.req.method, c.req.url, headersOf(c, incoming)))
    // Promise.resolve returns a native promise as is; it only guards against a synchronous `next`.
    return Promise.resolve(getScopeManager().runWithScope(scope, next)).then(() => report(c, scope, incoming))
  }
}
