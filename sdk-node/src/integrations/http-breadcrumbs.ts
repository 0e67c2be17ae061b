import diagnosticsChannel from 'node:diagnostics_channel'
import type { ClientRequest, IncomingMessage } from 'node:http'
import { getCurrentScope, getClient, type Scope } from '@faultline/sdk-core'

interface Pending {
  scope: Scope
  method: string
  url: string
}

function stripQuery(url: string): string {
  const q = url.search(/[?#]/)
  return q === -1 ? url : url.slice(0, q)
}

function requestUrl(request: ClientRequest): string {
  const host = request.getHeader('host') ?? request.host
  const protocol = (request as unknown as { protocol?: string }).protocol ?? 'http:'
  return stripQuery(`${protocol}//${String(host)}${request.path}`)
}

function add(pending: Pending, data: Record<string, unknown>, level?: 'error' | 'warning'): void {
  getClient()?.addBreadcrumb({ type: 'http', category: 'http', ...(level && { level }), data: { method: pending.method, url: pending.url, ...data } }, undefined, pending.scope)
}

/**
 * Outgoing HTTP breadcrumbs from Node's diagnostics channels (node:http and fetch/undici): no
 * monkey-patching. The scope is taken when the request starts, so the breadcrumb lands in the
 * request context that made the call even if the response arrives elsewhere. Query strings are
 * dropped (they often carry tokens); bodies are never read.
 */
export function instrumentHttpBreadcrumbs(): () => void {
  const httpPending = new WeakMap<object, Pending>()
  const undiciPending = new WeakMap<object, Pending>()

  const onHttpStart = (message: unknown): void => {
    try {
      const { request } = message as { request: ClientRequest }
      httpPending.set(request, { scope: getCurrentScope(), method: request.method, url: requestUrl(request) })
    } catch {
      return
    }
  }
  const onHttpFinish = (message: unknown): void => {
    try {
      const { request, response } = message as { request: ClientRequest; response: IncomingMessage }
      const pending = httpPending.get(request)
      if (!pending) return
      httpPending.delete(request)
      const status = response.statusCode ?? 0
      add(pending, { status_code: status }, status >= 500 ? 'error' : status >= 400 ? 'warning' : undefined)
    } catch {
      return
    }
  }
  const onHttpError = (message: unknown): void => {
    try {
      const { request, error } = message as { request: ClientRequest; error: Error }
      const pending = httpPending.get(request)
      if (!pending) return
      httpPending.delete(request)
      add(pending, { error: error?.message }, 'error')
    } catch {
      return
    }
  }
  type UndiciRequest = { origin?: string | URL; path?: string; method?: string }
  const onUndiciCreate = (message: unknown): void => {
    try {
      const { request } = message as { request: UndiciRequest }
      undiciPending.set(request, { scope: getCurrentScope(), method: request.method ?? 'GET', url: stripQuery(`${String(request.origin ?? '')}${request.path ?? ''}`) })
    } catch {
      return
    }
  }
  const onUndiciHeaders = (message: unknown): void => {
    try {
      const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } }
      const pending = undiciPending.get(request)
      if (!pending) return
      undiciPending.delete(request)
      const status = response.statusCode
      add({ ...pending }, { status_code: status }, status >= 500 ? 'error' : status >= 400 ? 'warning' : undefined)
    } catch {
      return
    }
  }
  const onUndiciError = (message: unknown): void => {
    try {
      const { request, error } = message as { request: UndiciRequest; error: Error }
      const pending = undiciPending.get(request)
      if (!pending) return
      undiciPending.delete(request)
      add(pending, { error: error?.message }, 'error')
    } catch {
      return
    }
  }

  const subscriptions: [string, (message: unknown) => void][] = [
    ['http.client.request.start', onHttpStart],
    ['http.client.response.finish', onHttpFinish],
    ['http.client.request.error', onHttpError],
    ['undici:request:create', onUndiciCreate],
    ['undici:request:headers', onUndiciHeaders],
    ['undici:request:error', onUndiciError],
  ]
  for (const [name, fn] of subscriptions) diagnosticsChannel.subscribe(name, fn)
  return () => {
    for (const [name, fn] of subscriptions) diagnosticsChannel.unsubscribe(name, fn)
  }
}
