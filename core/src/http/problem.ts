/**
 * One place turns every error into an `application/problem+json` response (RFC 9457). Expected
 * failures are thrown as `HTTPException` with a reason; anything else is a 500 that is logged
 * with its cause and answered without internals.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { describeError } from '../errors'
import type { Logger } from '../log'

export interface Problem {
  type?: string
  title: string
  status: number
  detail: string
  [extension: string]: unknown
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export function problemResponse(c: Context, status: ContentfulStatusCode, detail: string, extensions: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  const body: Problem = { title: titles[status] ?? 'Error', status, detail, ...extensions }
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json', ...headers })
}

/** Throw this for an expected failure with a reason and optional response headers. */
export function httpError(status: ContentfulStatusCode, detail: string, headers?: Record<string, string>, extensions?: Record<string, unknown>): HTTPException {
  const exception = new HTTPException(status, { message: detail })
  Object.assign(exception, { problemHeaders: headers, problemExtensions: extensions })
  return exception
}

export function problemErrorHandler(logger: Logger): ErrorHandler {
  return (error, c) => {
    if (error instanceof HTTPException) {
      const { problemHeaders, problemExtensions } = error as HTTPException & {
        problemHeaders?: Record<string, string>
        problemExtensions?: Record<string, unknown>
      }
      return problemResponse(c, error.status as ContentfulStatusCode, error.message || titles[error.status] || 'Error', problemExtensions, {
        ...closeIfBodyUnread(c),
        ...problemHeaders,
      })
    }
    logger.error('request failed', { method: c.req.method, path: c.req.path, error: describeError(error) })
    return problemResponse(c, 500, 'The server failed to handle this request; the error is logged.', {}, closeIfBodyUnread(c))
  }
}

export const problemNotFound: NotFoundHandler = (c) => problemResponse(c, 404, `No route for ${c.req.method} ${c.req.path}`, {}, closeIfBodyUnread(c))

/**
 * `Connection: close` when a request is refused before its body was read (a 401 before the body,
 * a 413 by Content-Length). The server drains such a body only briefly and then drops the
 * connection; a client told nothing would send its next request on it and lose it.
 */
function closeIfBodyUnread(c: Context): Record<string, string> {
  const incoming = (c.env as { incoming?: { complete?: boolean } } | undefined)?.incoming
  return incoming?.complete === false ? { connection: 'close' } : {}
}
