/**
 * Bearer-token auth for the REST API, checked once here for every route. Lookups are cached
 * briefly by token hash so a request costs no metadata read.
 */
import { createMiddleware } from 'hono/factory'
import { findApiToken, hashToken, type ApiTokenDoc, type ProjectStores } from '@faultline/core/projects'
import { httpError } from '@faultline/core/http'

export type AuthEnv = { Variables: { token: ApiTokenDoc } }

export function tokenAuth(stores: ProjectStores, ttlMs = 30_000) {
  const cache = new Map<string, { token: ApiTokenDoc | null; expiresAt: number }>()
  return createMiddleware<AuthEnv>(async function tokenAuth(c, next) {
    const header = c.req.header('authorization') ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match) throw httpError(401, 'Send an API token as "Authorization: Bearer <token>"', { 'www-authenticate': 'Bearer' })
    const plain = match[1]!
    const hash = hashToken(plain)
    const now = Date.now()
    let entry = cache.get(hash)
    if (!entry || entry.expiresAt <= now) {
      if (cache.size > 10_000) cache.clear()
      entry = { token: await findApiToken(stores, plain), expiresAt: now + ttlMs }
      cache.set(hash, entry)
    }
    if (!entry.token) throw httpError(401, 'Unknown or revoked API token', { 'www-authenticate': 'Bearer error="invalid_token"' })
    c.set('token', entry.token)
    await next()
  })
}
