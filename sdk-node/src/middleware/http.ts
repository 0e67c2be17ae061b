import type { IncomingMessage, ServerResponse } from 'node:http'
import { getClient, isThenable, type Scope, type User } from '@faultline/sdk-core'
import { withIsolatedScope } from '../scope'
import { clientIp, requestDataFromIncoming, userWithIp } from './request-data'

export interface WrapHandlerOptions {
  getUser?: (req: IncomingMessage) => User | undefined
  /**
   * After reporting, rethrow so Node behaves as without the SDK (an uncaught error). Default true.
   * With false, the SDK answers 500 itself when the handler had not responded yet.
   */
  rethrow?: boolean
}

type Handler<Req extends IncomingMessage, Res extends ServerResponse> = (req: Req, res: Res) => unknown

/** `http.createServer(wrapHandler(handler))`: isolation, request data and error reports for plain node:http. */
export function wrapHandler<Req extends IncomingMessage, Res extends ServerResponse>(handler: Handler<Req, Res>, options: WrapHandlerOptions = {}): Handler<Req, Res> {
  const rethrow = options.rethrow !== false
  return function faultlineHandler(this: unknown, req, res) {
    return withIsolatedScope((scope) => {
      try {
        scope.setRequest(requestDataFromIncoming(req))
        const user = userWithIp(options.getUser?.(req), clientIp(req.headers, req.socket?.remoteAddress))
        if (user) scope.setUser(user)
      } catch {
        // Request data is best effort.
      }
      const fail = (error: unknown): void => {
        report(error, res, scope)
        if (!rethrow && !res.headersSent) {
          res.statusCode = 500
          res.end()
        }
      }
      try {
        const result = handler.call(this, req, res)
        if (isThenable(result)) {
          return Promise.resolve(result).catch((error: unknown) => {
            fail(error)
            if (rethrow) throw error
          })
        }
        return result
      } catch (error) {
        fail(error)
        if (rethrow) throw error
        return undefined
      }
    })
  }
}

function report(error: unknown, res: ServerResponse, scope: Scope): void {
  try {
    const status = res.headersSent && res.statusCode >= 400 ? res.statusCode : 500
    scope.setTag('http.status_code', status)
    getClient()?.captureException(error, { mechanism: { type: 'http', handled: false, data: { status_code: status } } }, scope)
  } catch {
    // Reporting problems stay inside the SDK.
  }
}
