import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { getClient, type RequestData, type User } from '@faultline/sdk-core'

// Headers that carry credentials or session state are never sent, whatever sendDefaultPii says.
const secretHeader = /^(authorization|proxy-authorization|cookie|set-cookie|x-sentry-auth|x-api-key|x-auth-token|x-csrf-token|x-xsrf-token)$|token|secret|passw|api[-_]?key|session|signature/i

export function scrubHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    // HTTP/2 pseudo-headers (`:path`, `:authority`) repeat what url and method already say.
    if (value === undefined || name.startsWith(':') || secretHeader.test(name)) continue
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

function parseCookies(header: string | undefined): Record<string, string> | undefined {
  if (!header) return undefined
  const out: Record<string, string> = {}
  for (const part of header.split(';')) {
    const i = part.indexOf('=')
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim()
  }
  return out
}

const sendDefaultPii = (): boolean => getClient()?.options.sendDefaultPii === true

/** Request data for an event from a URL string, a method and the headers of any framework. */
export function buildRequestData(method: string, rawUrl: string, headers: Record<string, string | string[] | undefined>): RequestData {
  const host = (Array.isArray(headers.host) ? headers.host[0] : headers.host) ?? 'localhost'
  const proto = (Array.isArray(headers['x-forwarded-proto']) ? headers['x-forwarded-proto'][0] : headers['x-forwarded-proto'])?.split(',')[0]?.trim() ?? 'http'
  let url: URL
  try {
    url = new URL(rawUrl, `${proto}://${host}`)
  } catch {
    url = new URL('http://invalid/')
  }
  const data: RequestData = { method, url: `${url.origin}${url.pathname}`, headers: scrubHeaders(headers) }
  if (url.search.length > 1) data.query_string = url.search.slice(1)
  if (sendDefaultPii()) {
    const cookies = parseCookies(Array.isArray(headers.cookie) ? headers.cookie.join('; ') : headers.cookie)
    if (cookies) data.cookies = cookies
  }
  return data
}

export function requestDataFromIncoming(req: IncomingMessage & { originalUrl?: string }): RequestData {
  return buildRequestData(req.method ?? 'GET', req.originalUrl ?? req.url ?? '/', req.headers as IncomingHttpHeaders)
}

/** The client's address, only when the project opted into PII. */
export function clientIp(headers: Record<string, string | string[] | undefined>, remoteAddress: string | undefined): string | undefined {
  if (!sendDefaultPii()) return undefined
  const forwarded = headers['x-forwarded-for']
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim()
  return first || remoteAddress
}

export function userWithIp(user: User | undefined, ip: string | undefined): User | undefined {
  if (!ip) return user
  return { ...user, ip_address: user?.ip_address ?? ip }
}
