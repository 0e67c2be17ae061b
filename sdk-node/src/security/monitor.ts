/**
 * Security middleware for hono, Express and `node:http`: for each request it records
 * - input matching injection patterns (`input_validation_fail`, with the attack kind and place),
 *   before the handler runs, without blocking unless `block` is set (then 400);
 * - the outcome after the handler: 401 on a login route → `authn_login_fail`, 2xx there →
 *   `authn_login_success`; 401/403 elsewhere → `authz_fail`; 429 → `excess_rate_limit_exceeded`.
 * The client address (`X-Forwarded-For` only with `trustProxy`) is the event's `source.ip`: it is
 * what a security event is about, so it is sent whatever `sendDefaultPii` says.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Context, MiddlewareHandler } from 'hono'
import { logger } from '@faultline/sdk-core'
import { inspectUrl, type InjectionFinding } from './injection'
import { recordSecurityEvent, type SecurityEventInput } from './record'

export interface SecurityMonitorOptions {
  /** Paths (exact, or a RegExp) whose 2xx/401 answers are sign-in outcomes. Default `/login`, `/signin`, `/auth/login`, `/session`. */
  loginPaths?: (string | RegExp)[]
  /** Answer 400 to requests with injection-pattern input instead of only recording them. Default false. */
  block?: boolean
  /** Read the client address from `X-Forwarded-For` (behind a proxy you run). Default false. */
  trustProxy?: boolean
  /** The user of a request, if the app knows it (read after the handler ran). */
  getUser?: (request: RequestFacts) => SecurityEventInput['user']
}

export interface RequestFacts {
  method: string
  /** The raw request target: path and query, before any normalization. */
  url: string
  headers: Record<string, string | string[] | undefined>
  remoteAddress?: string
  /** The framework's request object, for `getUser`. */
  native: unknown
}

const defaultLoginPaths = ['/login', '/signin', '/auth/login', '/session', '/api/login']

export interface SecurityMonitor {
  /** Findings of the request's input, each recorded; `block` says whether to refuse it. */
  inspect(request: RequestFacts): { findings: InjectionFinding[]; block: boolean }
  /** Records the security outcome of an answered request, if it has one. */
  outcome(request: RequestFacts, status: number): void
}

export function createSecurityMonitor(options: SecurityMonitorOptions = {}): SecurityMonitor {
  const loginPaths = options.loginPaths ?? defaultLoginPaths
  const isLogin = (path: string) => loginPaths.some((p) => (typeof p === 'string' ? p === path : p.test(path)))
  const base = (request: RequestFacts): Omit<SecurityEventInput, 'action'> => {
    const path = request.url.split('?', 1)[0]!
    return {
      sourceIp: sourceIp(request, options.trustProxy === true),
      userAgent: header(request.headers, 'user-agent'),
      url: path,
      method: request.method,
    }
  }
  return {
    inspect(request) {
      try {
        const findings = inspectUrl(request.url)
        for (const finding of findings) {
          recordSecurityEvent({
            ...base(request),
            action: 'input_validation_fail',
            reason: `${finding.kind} pattern in ${finding.location}`,
            message: `Input matching ${finding.kind.replace('_', ' ')} in ${finding.location}`,
            attributes: { 'attack.kind': finding.kind, 'attack.location': finding.location, 'attack.match': finding.match, 'attack.blocked': options.block === true },
          })
        }
        return { findings, block: options.block === true && findings.length > 0 }
      } catch (error) {
        logger.warn('security monitor could not inspect a request', error)
        return { findings: [], block: false }
      }
    },
    outcome(request, status) {
      try {
        const path = request.url.split('?', 1)[0]!
        const login = isLogin(path)
        const action =
          status === 429 ? 'excess_rate_limit_exceeded'
          : login && status === 401 ? 'authn_login_fail'
          : login && status >= 200 && status < 300 && request.method !== 'GET' ? 'authn_login_success'
          : status === 401 || status === 403 ? 'authz_fail'
          : undefined
        if (!action) return
        recordSecurityEvent({ ...base(request), action, statusCode: status, user: options.getUser?.(request) })
      } catch (error) {
        logger.warn('security monitor could not record an outcome', error)
      }
    },
  }
}

function header(headers: RequestFacts['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

function sourceIp(request: RequestFacts, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = header(request.headers, 'x-forwarded-for')?.split(',')[0]?.trim()
    if (forwarded) return forwarded
  }
  return request.remoteAddress
}

type NodeIncoming = IncomingMessage | undefined

function honoFacts(c: Context): RequestFacts {
  const incoming = (c.env as { incoming?: NodeIncoming } | undefined)?.incoming
  const url = new URL(c.req.url)
  return {
    method: c.req.method,
    url: incoming?.url ?? `${url.pathname}${url.search}`,
    headers: incoming?.headers ?? Object.fromEntries(c.req.raw.headers),
    remoteAddress: incoming?.socket?.remoteAddress,
    native: c,
  }
}

/** `app.use(securityHono())` for hono. */
export function securityHono(options: SecurityMonitorOptions = {}): MiddlewareHandler {
  const monitor = createSecurityMonitor(options)
  return async function faultlineSecurity(c, next) {
    const facts = honoFacts(c)
    if (monitor.inspect(facts).block) return c.json({ error: 'Request refused' }, 400)
    await next()
    monitor.outcome(facts, c.res.status)
  }
}

function nodeFacts(req: IncomingMessage & { originalUrl?: string }): RequestFacts {
  return { method: req.method ?? 'GET', url: req.originalUrl ?? req.url ?? '/', headers: req.headers, remoteAddress: req.socket?.remoteAddress, native: req }
}

/** `app.use(securityExpress())` for Express (connect-style). */
export function securityExpress(options: SecurityMonitorOptions = {}) {
  const monitor = createSecurityMonitor(options)
  return function faultlineSecurity(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void {
    const facts = nodeFacts(req)
    if (monitor.inspect(facts).block) {
      res.statusCode = 400
      res.setHeader('content-type', 'application/json')
      res.end('{"error":"Request refused"}')
      return
    }
    res.once('finish', () => monitor.outcome(facts, res.statusCode))
    next()
  }
}

/** `http.createServer(securityHandler(handler))` for plain `node:http`. */
export function securityHandler<Req extends IncomingMessage, Res extends ServerResponse>(handler: (req: Req, res: Res) => unknown, options: SecurityMonitorOptions = {}): (req: Req, res: Res) => unknown {
  const express = securityExpress(options)
  return function faultlineSecurityHandler(this: unknown, req, res) {
    let result: unknown
    express(req, res, () => {
      result = handler.call(this, req, res)
    })
    return result
  }
}
