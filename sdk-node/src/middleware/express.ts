import type { IncomingMessage, ServerResponse } from 'node:http'
import { getClient, getCurrentScope, type User } from '@faultline/sdk-core'
import { withIsolatedScope } from '../scope'
import { clientIp, requestDataFromIncoming, userWithIp } from './request-data'

/** The parts of Express's request this SDK reads; typed structurally so Express is not a dependency. */
export interface ExpressLikeRequest extends IncomingMessage {
  originalUrl?: string
  baseUrl?: string
  route?: { path?: string }
  user?: unknown
}
type Next = (error?: unknown) => void

export interface ExpressOptions {
  getUser?: (req: ExpressLikeRequest) => User | undefined
  shouldReport?: (error: unknown, status: number) => boolean
}

function statusOf(error: unknown): number {
  const e = error as { status?: unknown; statusCode?: unknown } | null
  const status = Number(e?.status ?? e?.statusCode)
  return Number.isInteger(status) && status >= 400 && status < 600 ? status : 500
}

/** `app.use(faultlineExpress.requestHandler())` first: one isolated scope for everything downstream. */
export function expressRequestHandler(options: ExpressOptions = {}) {
  return function faultlineRequest(req: ExpressLikeRequest, _res: ServerResponse, next: Next): void {
    withIsolatedScope((scope) => {
      try {
        scope.setRequest(requestDataFromIncoming(req))
        const ip = clientIp(req.headers, req.socket?.remoteAddress)
        const user = userWithIp(options.getUser?.(req), ip)
        if (user) scope.setUser(user)
      } catch {
        // Request data is best effort.
      }
      next()
    })
  }
}

/** `app.use(faultlineExpress.errorHandler())` after the routes: reports, then passes the error on. */
export function expressErrorHandler(options: ExpressOptions = {}) {
  const shouldReport = options.shouldReport ?? ((_e: unknown, status: number) => status >= 500)
  return function faultlineError(error: unknown, req: ExpressLikeRequest, _res: ServerResponse, next: Next): void {
    try {
      const status = statusOf(error)
      if (shouldReport(error, status)) {
        const scope = getCurrentScope()
        if (!scope.request) scope.setRequest(requestDataFromIncoming(req))
        if (req.route?.path) scope.setTransactionName(`${req.method} ${req.baseUrl ?? ''}${req.route.path}`)
        const user = options.getUser?.(req)
        if (user) scope.setUser({ ...scope.user, ...user })
        scope.setTag('http.status_code', status)
        getClient()?.captureException(error, { mechanism: { type: 'express', handled: false, data: { status_code: status } } }, scope)
      }
    } catch {
      // Reporting problems stay inside the SDK.
    }
    next(error)
  }
}

export const faultlineExpress = { requestHandler: expressRequestHandler, errorHandler: expressErrorHandler }
