/**
 * Done-when of the accounts issue, through the API: a fresh instance is set up with the one-time
 * token, the owner invites a member and a viewer by email (received by a real SMTP server), each
 * accepts and sees what the matrix allows; role changes obey the grant rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueSetupToken, readSecurityPolicy } from '@faultline/core/accounts'
import { ApiHarness, type Browser } from '../testing/api-harness'
import { SmtpSink } from '../testing/smtp-sink'
import { writeSmtpSettings } from '../services/mailer'

let h: ApiHarness
let smtp: SmtpSink
let owner: Browser
let orgId: string
const password = 'a long enough passphrase for olive'

beforeAll(async () => {
  smtp = await new SmtpSink({ user: 'mailer', pass: 'smtp secret' }).start()
  h = await ApiHarness.start({}, 'https://faultline.example.test')
}, 60_000)
afterAll(async () => {
  await h?.close()
  await smtp?.close()
})

/** The mail body with quoted-printable soft breaks and escapes undone. */
const decoded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
const tokenIn = (raw: string) => /token=([A-Za-z0-9_-]{32})/.exec(decoded(raw))![1]!

describe('setup, invitations and what each member sees', () => {
  it('asks for setup, refuses a wrong token, and sets up the owner with the right one', async () => {
    expect((await h.request('GET', '/setup')).body).toEqual({ required: true })
    const token = await issueSetupToken(h.platform.accounts)
    const body = { organization: 'Acme', email: 'owner@acme.test', name: 'Olive', password, mfaRequired: false }
    expect((await h.request('POST', '/setup', { ...body, token: 'x'.repeat(32) })).status).toBe(403)
    expect((await h.request('POST', '/setup', { ...body, token, password: 'short' })).status).toBe(400)
    // A refused setup changes nothing: not the security policy either.
    const policyBefore = await readSecurityPolicy(h.platform.accounts.settings)
    const unnamed = await h.request('POST', '/setup', { ...body, token, organization: '--', passwordMinLength: 20 })
    expect([unnamed.status, unnamed.body.detail]).toEqual([400, expect.stringContaining('must contain a Latin letter or a digit')])
    expect(await readSecurityPolicy(h.platform.accounts.settings)).toEqual(policyBefore)
    owner = h.browser()
    const done = await owner.request('POST', '/setup', { ...body, token })
    expect(done.status).toBe(201)
    orgId = done.body.orgId
    const setCookie = done.headers.getSetCookie().find((c) => c.startsWith('fl_session='))!
    expect(setCookie).toMatch(/Secure/) // served over https
    expect((await h.request('GET', '/setup')).body).toEqual({ required: false })
    expect((await h.request('POST', '/setup', { ...body, token })).status).toBe(409)
    expect((await owner.request('GET', '/auth/session')).body.memberships).toEqual([{ orgId, role: 'owner', teamIds: [] }])
  })

  it('answers 409 for an invitation while no SMTP server is configured', async () => {
    expect((await owner.request('POST', `/orgs/${orgId}/invitations`, { email: 'x@acme.test', role: 'member' })).status).toBe(409)
  })

  it('invites a member and a viewer by email; each accepts and gets exactly its role', async () => {
    await writeSmtpSettings(h.platform, { host: '127.0.0.1', port: smtp.port, secure: false, user: 'mailer', from: 'faultline@acme.test' }, 'smtp secret')
    const project = await owner.request('POST', `/orgs/${orgId}/projects`, { name: 'Shop' })
    expect(project.status).toBe(201)
    for (const [email, role] of [['mia@acme.test', 'member'], ['vic@acme.test', 'viewer']] as const) {
      expect((await owner.request('POST', `/orgs/${orgId}/invitations`, { email, role })).status).toBe(201)
    }
    const browsers: Record<string, Browser> = {}
    for (const email of ['mia@acme.test', 'vic@acme.test']) {
      const mail = await smtp.waitFor(email)
      expect(decoded(mail.raw)).toContain('https://faultline.example.test/invitations/accept?token=')
      const browser = h.browser()
      const accepted = await browser.request('POST', '/invitations/accept', { token: tokenIn(mail.raw), name: email.split('@')[0], password: 'member passphrase 123' })
      expect(accepted.status).toBe(201)
      expect((await h.browser().request('POST', '/invitations/accept', { token: tokenIn(mail.raw), name: 'again', password: 'member passphrase 123' })).status).toBe(404)
      browsers[email] = browser
    }
    const [mia, vic] = [browsers['mia@acme.test']!, browsers['vic@acme.test']!]
    const projectId = project.body.id
    expect((await mia.request('GET', '/projects')).body.data.map((p: { id: string }) => p.id)).toEqual([projectId])
    expect((await vic.request('GET', `/projects/${projectId}`)).status).toBe(200)
    expect((await mia.request('GET', `/projects/${projectId}/keys`)).status).toBe(200)
    expect((await vic.request('GET', `/projects/${projectId}/keys`)).status).toBe(403)
    expect((await vic.request('POST', `/orgs/${orgId}/teams`, { name: 'Ops' })).status).toBe(403)
    expect((await mia.request('POST', `/orgs/${orgId}/invitations`, { email: 'z@acme.test', role: 'viewer' })).status).toBe(403)
    const members = (await owner.request('GET', `/orgs/${orgId}/members`)).body.data
    expect(members.map((m: { email: string; role: string }) => `${m.email}:${m.role}`).sort()).toEqual(['mia@acme.test:member', 'owner@acme.test:owner', 'vic@acme.test:viewer'])
    const recorded = (await h.platform.audit.search({ orgId, limit: 100 })).map((d) => d.action)
    expect(recorded).toEqual(expect.arrayContaining(['sys_setup_completed', 'user_invited', 'user_created']))
  })

  it('lets an admin manage members below owner only, and keeps the last owner', async () => {
    const members = (await owner.request('GET', `/orgs/${orgId}/members`)).body.data as { userId: string; email: string }[]
    const id = (email: string) => members.find((m) => m.email === email)!.userId
    expect((await owner.request('PATCH', `/orgs/${orgId}/members/${id('mia@acme.test')}`, { role: 'admin' })).status).toBe(200)
    const mia = h.browser()
    await mia.signIn('mia@acme.test', 'member passphrase 123')
    expect((await mia.request('PATCH', `/orgs/${orgId}/members/${id('vic@acme.test')}`, { role: 'owner' })).status).toBe(403)
    expect((await mia.request('PATCH', `/orgs/${orgId}/members/${id('owner@acme.test')}`, { role: 'viewer' })).status).toBe(403)
    expect((await mia.request('PATCH', `/orgs/${orgId}/members/${id('vic@acme.test')}`, { role: 'security-analyst' })).status).toBe(200)
    expect((await owner.request('PATCH', `/orgs/${orgId}/members/${id('owner@acme.test')}`, { role: 'admin' })).status).toBe(409)
    const change = (await h.platform.audit.search({ orgId, action: 'authz_change', limit: 10 })).map((d) => d.detail)
    expect(change).toEqual(expect.arrayContaining([{ from: 'viewer', to: 'security-analyst' }, { from: 'member', to: 'admin' }]))
  })
})
