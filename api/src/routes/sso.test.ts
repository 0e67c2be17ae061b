/**
 * OIDC single sign-on end to end against a real provider (oidc-provider) started on loopback:
 * authorization code + PKCE through the provider's own login and consent pages, a user created
 * just in time with the role its groups claim maps to, a session, and the audit records.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OrganizationDoc } from '@faultline/core/accounts'
import { ApiHarness, type Browser } from '../testing/api-harness'
import { mappedRole } from '../services/sso'

const publicUrl = 'http://127.0.0.1:7443'
let h: ApiHarness
let server: Server
let issuer: string
let org: OrganizationDoc
let owner: Browser
const accounts: Record<string, { email: string; name: string; groups: string[] }> = {
  alice: { email: 'alice@acme.test', name: 'Alice', groups: ['staff', 'faultline-admins'] },
  bob: { email: 'bob@acme.test', name: 'Bob', groups: ['staff'] },
}

beforeAll(async () => {
  server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'faultline', client_secret: 'provider-secret', redirect_uris: [`${publicUrl}/api/v1/auth/sso/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, email: accounts[id]?.email, email_verified: true, name: accounts[id]?.name, groups: accounts[id]?.groups }) }),
    pkce: { required: () => true },
    cookies: { keys: ['test cookie key'] },
  })
  server.on('request', provider.callback())
  h = await ApiHarness.start({}, publicUrl)
  org = await h.organization('Acme')
  await h.user('olive@acme.test', 'owner passphrase here', org, 'owner')
  owner = h.browser()
  await owner.signIn('olive@acme.test', 'owner passphrase here')
}, 60_000)
afterAll(async () => {
  await h?.close()
  await new Promise((resolve) => server?.close(resolve))
})

/** Follows the provider's redirects and forms as a browser would, until it sends us back to Faultline. */
async function throughProvider(start: string, login: string): Promise<URL> {
  const jar = new Map<string, string>()
  let url = new URL(start)
  let method = 'GET'
  let body: string | undefined
  for (let hop = 0; hop < 20; hop++) {
    if (url.origin === publicUrl) return url
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(body && { 'content-type': 'application/x-www-form-urlencoded' }) },
      body,
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const [name, value] = pair!.split('=')
      jar.set(name!, value ?? '')
    }
    const location = response.headers.get('location')
    if (location) {
      url = new URL(location, url)
      method = 'GET'
      body = undefined
      continue
    }
    const html = await response.text()
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]
    if (!action) throw new Error(`provider answered ${response.status} without a form or redirect: ${html.slice(0, 300)}`)
    url = new URL(action, url)
    method = 'POST'
    body = html.includes('name="login"') ? new URLSearchParams({ prompt: 'login', login, password: 'anything' }).toString() : new URLSearchParams({ prompt: 'consent' }).toString()
  }
  throw new Error('too many hops at the provider')
}

async function signInWithSso(login: string): Promise<Browser> {
  const browser = h.browser()
  const start = await browser.request('GET', `/auth/sso/${org.slug}/start?returnTo=/issues`)
  expect(start.status).toBe(302)
  const authorize = new URL(start.headers.get('location')!)
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256')
  const back = await throughProvider(authorize.toString(), login)
  const done = await browser.request('GET', `${back.pathname.replace('/api/v1', '')}${back.search}`)
  expect(done.status, JSON.stringify(done.body)).toBe(302)
  expect(done.headers.get('location')).toBe('/issues')
  return browser
}

describe('OIDC single sign-on', () => {
  it('signs people in through the provider, creates them just in time with the role their groups map to', async () => {
    const configured = await owner.request('PUT', `/orgs/${org._id}/sso`, {
      issuer,
      clientId: 'faultline',
      clientSecret: 'provider-secret',
      roleClaim: 'groups',
      roleMapping: { 'faultline-admins': 'admin', staff: 'member' },
      defaultRole: 'viewer',
    })
    expect(configured.status).toBe(200)
    expect(JSON.stringify(configured.body)).not.toContain('provider-secret')

    const alice = await signInWithSso('alice')
    const session = await alice.request('GET', '/auth/session')
    expect(session.body.user.email).toBe('alice@acme.test')
    expect(session.body.memberships).toEqual([{ orgId: org._id, role: 'admin', teamIds: [] }])
    const bob = await signInWithSso('bob')
    expect((await bob.request('GET', '/auth/session')).body.memberships[0].role).toBe('member')
    expect((await bob.request('GET', `/orgs/${org._id}/tokens`)).status).toBe(403)
    const actions = (await h.platform.audit.search({ orgId: org._id, limit: 100 })).map((d) => d.action)
    expect(actions.filter((a) => a === 'authn_sso_login')).toHaveLength(2)
    expect(actions.filter((a) => a === 'user_created')).toHaveLength(2)
  })

  it('refuses a callback with an unknown or replayed state, and a returnTo off the site', async () => {
    expect((await h.request('GET', '/auth/sso/callback?code=abc&state=forgedstate123')).status).toBe(400)
    expect((await h.request('GET', `/auth/sso/${org.slug}/start?returnTo=//evil.test/x`)).status).toBe(400)
    expect((await h.request('GET', `/auth/sso/${org.slug}/start?returnTo=https://evil.test`)).status).toBe(400)
    expect((await h.request('GET', '/auth/sso/nope/start')).status).toBe(404)
  })

  it('maps claims to the highest configured role, else the default', () => {
    const settings = { roleMapping: { a: 'viewer', b: 'admin' } as const, defaultRole: 'member' as const }
    expect(mappedRole(settings, ['a', 'b'])).toBe('admin')
    expect(mappedRole(settings, 'a')).toBe('viewer')
    expect(mappedRole(settings, ['x'])).toBe('member')
    expect(mappedRole(settings, undefined)).toBe('member')
  })
})
