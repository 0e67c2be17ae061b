import { addBreadcrumb, safeStringify, truncate, type SeverityLevel } from '@faultline/sdk-core'
import { selectorOf } from './html'

export interface BreadcrumbOptions {
  dom?: boolean
  history?: boolean
  console?: boolean
  fetch?: boolean
  xhr?: boolean
}

type Teardown = () => void
type AnyFn = (...args: never[]) => unknown

/** Replaces `obj[name]` with a wrapper and returns the undo (only applied if still ours). */
function patch<T extends object, K extends keyof T>(obj: T, name: K, wrap: (original: T[K]) => T[K]): Teardown {
  const original = obj[name]
  if (typeof original !== 'function') return () => undefined
  const wrapped = wrap(original)
  obj[name] = wrapped
  return () => {
    if (obj[name] === wrapped) obj[name] = original
  }
}

function stripQuery(url: string): string {
  const q = url.search(/[?#]/)
  return q === -1 ? url : url.slice(0, q)
}

function safe(fn: () => void): void {
  try {
    fn()
  } catch {
    // Breadcrumbs are best effort; never disturb the host's call.
  }
}

function domBreadcrumbs(): Teardown {
  const onClick = (event: Event): void =>
    safe(() => {
      const selector = selectorOf(event.target)
      if (selector) addBreadcrumb({ category: 'ui.click', message: selector })
    })
  document.addEventListener('click', onClick, { capture: true, passive: true })
  return () => document.removeEventListener('click', onClick, { capture: true })
}

function historyBreadcrumbs(): Teardown {
  let last = location.href
  const record = (to: string | URL | null | undefined): void =>
    safe(() => {
      if (to === undefined || to === null) return
      const next = new URL(String(to), location.href).href
      if (next === last) return
      addBreadcrumb({ category: 'navigation', data: { from: stripQuery(last), to: stripQuery(next) } })
      last = next
    })
  const onPop = (): void => record(location.href)
  window.addEventListener('popstate', onPop)
  const undo = (['pushState', 'replaceState'] as const).map((method) =>
    patch(history, method, (original) =>
      function (this: History, data: unknown, unused: string, url?: string | URL | null) {
        const result = original.call(this, data, unused, url)
        record(url)
        return result
      } as History[typeof method],
    ),
  )
  return () => {
    window.removeEventListener('popstate', onPop)
    undo.forEach((u) => u())
  }
}

const consoleLevels: Record<string, SeverityLevel> = { debug: 'debug', info: 'info', log: 'log', warn: 'warning', error: 'error' }

function consoleBreadcrumbs(): Teardown {
  const undo = Object.keys(consoleLevels).map((method) =>
    patch(console as unknown as Record<string, AnyFn>, method, (original) =>
      function (this: unknown, ...args: unknown[]) {
        ;(original as (...a: unknown[]) => void).apply(this, args)
        safe(() => {
          const message = args.map((a) => (typeof a === 'string' ? a : safeStringify(a))).join(' ')
          addBreadcrumb({ category: 'console', level: consoleLevels[method], message: truncate(message, 1024) })
        })
      } as AnyFn,
    ),
  )
  return () => undo.forEach((u) => u())
}

function httpCrumb(type: 'fetch' | 'xhr', method: string, url: string, status?: number, error?: boolean): void {
  addBreadcrumb({
    type: 'http',
    category: type,
    ...((error || (status ?? 0) >= 500) && { level: 'error' as const }),
    ...((status ?? 0) >= 400 && (status ?? 0) < 500 && { level: 'warning' as const }),
    data: { method, url: stripQuery(url), ...(status !== undefined && { status_code: status }) },
  })
}

function fetchBreadcrumbs(isSdkUrl: (url: string) => boolean): Teardown {
  if (typeof fetch !== 'function') return () => undefined
  return patch(globalThis as { fetch: typeof fetch }, 'fetch', (original) =>
    function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
      let method = 'GET'
      let url = ''
      safe(() => {
        url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
        method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase()
      })
      const promise = original.call(this, input, init)
      if (!url || isSdkUrl(url)) return promise
      promise.then(
        (response) => safe(() => httpCrumb('fetch', method, url, response.status)),
        () => safe(() => httpCrumb('fetch', method, url, undefined, true)),
      )
      return promise
    } as typeof fetch,
  )
}

function xhrBreadcrumbs(isSdkUrl: (url: string) => boolean): Teardown {
  if (typeof XMLHttpRequest === 'undefined') return () => undefined
  const info = new WeakMap<XMLHttpRequest, { method: string; url: string; sent: boolean }>()
  const proto = XMLHttpRequest.prototype
  // The listener goes on at open(), before the page's own handlers, so the breadcrumb exists by the
  // time code awaiting the request runs.
  const undoOpen = patch(proto, 'open', (original) =>
    function (this: XMLHttpRequest, method: string, url: string | URL, ...rest: unknown[]) {
      safe(() => {
        const known = info.has(this)
        info.set(this, { method: String(method).toUpperCase(), url: String(url), sent: false })
        if (known) return
        this.addEventListener('loadend', () =>
          safe(() => {
            const request = info.get(this)
            if (request?.sent && !isSdkUrl(request.url)) httpCrumb('xhr', request.method, request.url, this.status || undefined, this.status === 0)
          }),
        )
      })
      return (original as (...a: unknown[]) => void).call(this, method, url, ...rest)
    } as typeof proto.open,
  )
  const undoSend = patch(proto, 'send', (original) =>
    function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
      safe(() => {
        const request = info.get(this)
        if (request) request.sent = true
      })
      return original.call(this, body)
    },
  )
  return () => {
    undoOpen()
    undoSend()
  }
}

/** Installs the selected breadcrumb sources; returns one teardown for all. */
export function instrumentBreadcrumbs(options: BreadcrumbOptions, isSdkUrl: (url: string) => boolean): Teardown {
  const teardowns: Teardown[] = []
  if (options.dom !== false && typeof document !== 'undefined') teardowns.push(domBreadcrumbs())
  if (options.history !== false && typeof history !== 'undefined') teardowns.push(historyBreadcrumbs())
  if (options.console !== false) teardowns.push(consoleBreadcrumbs())
  if (options.fetch !== false) teardowns.push(fetchBreadcrumbs(isSdkUrl))
  if (options.xhr !== false) teardowns.push(xhrBreadcrumbs(isSdkUrl))
  return () => teardowns.forEach((t) => t())
}
