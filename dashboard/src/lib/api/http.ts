/**
 * The one place the dashboard talks HTTP: same-origin requests to /api/v1 with the session cookie,
 * the CSRF token echoed on writes, problem+json answers turned into `ApiError`s with their reason.
 */
import type { Endpoint } from './endpoints'

export class ApiError extends Error {
  readonly status: number
  readonly title: string

  constructor(status: number, title: string, detail: string) {
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.title = title
  }
}

export type QueryValue = string | number | boolean | undefined | null | readonly string[]

export interface RequestOptions {
  params?: Record<string, string>
  query?: Record<string, QueryValue>
  body?: unknown
  signal?: AbortSignal
}

const csrfCookie = 'fl_csrf'
const safeMethods = new Set(['GET', 'HEAD'])

/** Told about every 401, so the session can send the user to sign in and back. */
let unauthorizedListener: ((error: ApiError) => void) | undefined
export function onUnauthorized(listener: ((error: ApiError) => void) | undefined): void {
  unauthorizedListener = listener
}

export function readCookie(name: string, cookies = typeof document === 'undefined' ? '' : document.cookie): string | undefined {
  for (const part of cookies.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return decodeURIComponent(rest.join('='))
  }
  return undefined
}

/** Fills `{name}` placeholders of an OpenAPI path; values are URL-encoded. */
export function fillPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name]
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${template}`)
    return encodeURIComponent(value)
  })
}

export function queryString(query: Record<string, QueryValue> = {}): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    if (Array.isArray(value)) for (const item of value as readonly string[]) search.append(key, item)
    else search.set(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

export async function request<T>(endpoint: Endpoint, options: RequestOptions = {}, fetcher: typeof fetch = fetch): Promise<T> {
  const url = `/api/v1${fillPath(endpoint.path, options.params)}${queryString(options.query)}`
  const headers: Record<string, string> = { accept: 'application/json' }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (!safeMethods.has(endpoint.method)) {
    const csrf = readCookie(csrfCookie)
    if (csrf) headers['x-csrf-token'] = csrf
  }
  let response: Response
  try {
    response = await fetcher(url, {
      method: endpoint.method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(0, 'Network error', `Faultline could not be reached (${error instanceof Error ? error.message : String(error)})`)
  }
  if (response.status === 204) return undefined as T
  const text = await response.text()
  const body = parseBody(text)
  if (!response.ok) {
    const problem = (body ?? {}) as { title?: string; detail?: string }
    const error = new ApiError(response.status, problem.title ?? response.statusText, problem.detail ?? (text.slice(0, 300) || `HTTP ${response.status}`))
    if (response.status === 401) unauthorizedListener?.(error)
    throw error
  }
  return body as T
}

function parseBody(text: string): unknown {
  if (!text) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
