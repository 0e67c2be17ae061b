/**
 * An API tier on a fresh data directory, driven in process through `app.request`, with a small
 * cookie jar so tests can act as a browser (session cookie, CSRF token) or with bearer tokens.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { createOrganization, createUser, hashPassword, setMembership, type OrgRole, type OrganizationDoc, type UserDoc } from '@faultline/core/accounts'
import { loadConfig } from '@faultline/core/config'
import { problemErrorHandler, problemNotFound } from '@faultline/core/http'
import { createLogger } from '@faultline/core/log'
import { openPlatform, type Platform } from '@faultline/core/platform'
import { createApiTier } from '../app'

// Tests assert the shapes of the JSON answers themselves.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

export interface Answer<T = Json> {
  status: number
  body: T
  headers: Headers
}

export class Browser {
  readonly #harness: ApiHarness
  readonly cookies = new Map<string, string>()
  ip: string | undefined

  constructor(harness: ApiHarness) {
    this.#harness = harness
  }

  /** A request with this browser's cookies (and its CSRF token on writes unless `csrf: false`). */
  async request<T = Json>(method: string, path: string, body?: unknown, options: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers }
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const csrf = this.cookies.get('fl_csrf')
    if (options.csrf !== false && csrf && method !== 'GET') headers['x-csrf-token'] = csrf
    const answer = await this.#harness.request<T>(method, path, body, headers)
    for (const line of answer.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';')
      const [name, value] = pair!.split('=') as [string, string]
      if (attributes.some((a) => /max-age=0/i.test(a.trim())) || value === '') this.cookies.delete(name.trim())
      else this.cookies.set(name.trim(), value)
    }
    return answer
  }

  signIn(email: string, password: string): Promise<Answer> {
    return this.request('POST', '/auth/login', { email, password })
  }
}

export class ApiHarness {
  platform!: Platform
  app!: Hono
  readonly dataDir = mkdtempSync(join(tmpdir(), 'faultline-api-'))

  /** Without the event store unless asked (chDB binds one data directory per process, so such a file starts one harness). */
  static async start(env: Record<string, string> = {}, publicUrl = 'http://127.0.0.1:1', withEventStore = false): Promise<ApiHarness> {
    const harness = new ApiHarness()
    const config = loadConfig({ DATA_DIR: harness.dataDir, LOG_LEVEL: 'error', ...env })
    harness.platform = await openPlatform(config, { logger: createLogger('error'), withEventStore })
    const tier = await createApiTier(harness.platform, publicUrl)
    harness.app = new Hono()
    harness.app.onError(problemErrorHandler(harness.platform.logger))
    harness.app.notFound(problemNotFound)
    harness.app.route('/', tier.app)
    return harness
  }

  async request<T = Json>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const init: RequestInit = { method, headers: { ...headers } }
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body)
      ;(init.headers as Record<string, string>)['content-type'] = 'application/json'
    }
    const response = await this.app.request(`/api/v1${path}`, init)
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      // NDJSON and other bodies stay text.
    }
    return { status: response.status, body: parsed as T, headers: response.headers }
  }

  bearer<T = Json>(token: string, method: string, path: string, body?: unknown): Promise<Answer<T>> {
    return this.request<T>(method, path, body, { authorization: `Bearer ${token}` })
  }

  browser(): Browser {
    return new Browser(this)
  }

  async user(email: string, password: string, org?: OrganizationDoc, role: OrgRole = 'member'): Promise<UserDoc> {
    const user = await createUser(this.platform.accounts, { email, name: email.split('@')[0]!, passwordHash: await hashPassword(password) })
    if (org) await setMembership(this.platform.accounts, org._id, user._id, role)
    return user
  }

  organization(name: string): Promise<OrganizationDoc> {
    return createOrganization(this.platform.accounts, name)
  }

  async close(): Promise<void> {
    await this.platform?.close()
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}
