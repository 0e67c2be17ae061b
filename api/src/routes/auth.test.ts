/**
 * Sign-in and sessions through the API as a browser would drive it: sessions, fixation, CSRF,
 * expiry and rotation, sign-out everywhere, brute force throttling and lockout, TOTP enrolment
 * with replay protection, single-use recovery codes, and the audit records all of it leaves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { base32Decode, hotp, totpStep, type OrganizationDoc } from '@faultline/core/accounts'
import { ApiHarness } from '../testing/api-harness'

let h: ApiHarness
let org: OrganizationDoc
const password = 'correct horse battery staple'

beforeAll(async () => {
  h = await ApiHarness.start()
  org = await h.organization('Acme')
}, 60_000)
afterAll(() => h?.close())

const actions = async (actorName?: string) =>
  (await h.platform.audit.search({ limit: 1000 })).filter((d) => !actorName || d.actor.name === actorName).map((d) => d.action).reverse()

describe('password sign-in and sessions', () => {
  it('signs in with an httpOnly SameSite=Lax cookie, and never keeps a session id planted before sign-in', async () => {
    await h.user('ada@acme.test', password, org, 'member')
    const browser = h.browser()
    browser.cookies.set('fl_session', 'A'.repeat(43))
    const login = await browser.signIn('ada@acme.test', password)
    expect(login.status).toBe(200)
    const setCookie = login.headers.getSetCookie().find((c) => c.startsWith('fl_session='))!
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Lax/)
    expect(setCookie).not.toMatch(/Secure/) // served over plain http here
    expect(browser.cookies.get('fl_session')).not.toBe('A'.repeat(43))
    const session = await browser.request('GET', '/auth/session')
    expect(session.body.user.email).toBe('ada@acme.test')
    expect(session.body.memberships).toEqual([{ orgId: org._id, role: 'member', teamIds: [] }])
    expect(await actions('ada@acme.test')).toEqual(['authn_login_success', 'session_created'])
  })

  it('refuses a cookie write without the CSRF token, and with a wrong one', async () => {
    await h.user('bob@acme.test', password, org, 'owner')
    const browser = h.browser()
    await browser.signIn('bob@acme.test', password)
    const body = { name: 'csrf' }
    expect((await browser.request('POST', `/orgs/${org._id}/projects`, body, { csrf: false })).status).toBe(403)
    expect((await browser.request('POST', `/orgs/${org._id}/projects`, body, { csrf: false, headers: { 'x-csrf-token': 'forged' } })).status).toBe(403)
    expect((await browser.request('POST', `/orgs/${org._id}/projects`, body)).status).toBe(201)
  })

  it('ends a session after its idle timeout and its absolute lifetime, and records the reuse', async () => {
    await h.user('cy@acme.test', password, org)
    const browser = h.browser()
    await browser.signIn('cy@acme.test', password)
    const sessions = h.platform.accounts.sessions
    const [doc] = await sessions.find({ userId: (await h.platform.accounts.users.findOne({ email: 'cy@acme.test' }))!._id })
    await sessions.updateMany({ _id: doc!._id }, { $set: { lastSeenAt: Date.now() - doc!.idleMs - 1 } })
    expect((await browser.request('GET', '/auth/session')).status).toBe(401)
    await browser.signIn('cy@acme.test', password)
    const [fresh] = await sessions.find({ userId: doc!.userId })
    await sessions.updateMany({ _id: fresh!._id }, { $set: { expiresAt: Date.now() - 1 } })
    const answer = await browser.request('GET', '/auth/session')
    expect(answer.status).toBe(401)
    expect(answer.body.detail).toMatch(/expired/)
    expect((await actions()).filter((a) => a === 'session_expired').length).toBeGreaterThanOrEqual(2)
  })

  it('signs out everywhere: every other browser of the user is refused, and a rotated session id is dead', async () => {
    await h.user('dee@acme.test', password, org)
    const [laptop, phone] = [h.browser(), h.browser()]
    await laptop.signIn('dee@acme.test', password)
    await phone.signIn('dee@acme.test', password)
    const before = laptop.cookies.get('fl_session')!
    const change = await laptop.request('PUT', '/auth/password', { currentPassword: password, newPassword: 'another long passphrase' })
    expect(change.status).toBe(200)
    expect(laptop.cookies.get('fl_session')).not.toBe(before)
    expect((await laptop.request('GET', '/auth/session')).status).toBe(200)
    expect((await phone.request('GET', '/auth/session')).status).toBe(401)
    const stale = h.browser()
    stale.cookies.set('fl_session', before)
    expect((await stale.request('GET', '/auth/session')).status).toBe(401)
    expect((await laptop.request('POST', '/auth/logout-everywhere')).status).toBe(204)
    expect((await laptop.request('GET', '/auth/session')).status).toBe(401)
    expect(await actions('dee@acme.test')).toContain('authn_password_change')
    expect(await actions('dee@acme.test')).toContain('session_revoked_all')
  })

  it('answers a wrong password and an unknown account alike', async () => {
    const browser = h.browser()
    const wrong = await browser.signIn('ada@acme.test', 'not the password')
    const unknown = await browser.signIn('nobody@acme.test', 'not the password')
    expect([wrong.status, unknown.status]).toEqual([401, 401])
    expect(wrong.body.detail).toBe(unknown.body.detail)
    expect(browser.cookies.has('fl_session')).toBe(false)
  })
})

describe('brute force', () => {
  it('locks an account after five failures in a row, even for the right password, and records the lock', async () => {
    const lh = await ApiHarness.start()
    try {
      const acme = await lh.organization('Acme')
      await lh.user('eve@acme.test', password, acme)
      const browser = lh.browser()
      const statuses = []
      for (let i = 0; i < 5; i++) statuses.push((await browser.signIn('eve@acme.test', `guess ${i}`)).status)
      expect(statuses).toEqual([401, 401, 401, 401, 401])
      const locked = await browser.signIn('eve@acme.test', password)
      expect(locked.status).toBe(429)
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(60)
      const recorded = (await lh.platform.audit.search({ limit: 100 })).map((d) => d.action)
      expect(recorded).toContain('authn_login_lock')
      await lh.platform.cache.delete('login:lock:eve@acme.test')
      expect((await browser.signIn('eve@acme.test', password)).status).toBe(200)
    } finally {
      await lh.close()
    }
  })

  it('throttles attempts from one address across accounts', async () => {
    const lh = await ApiHarness.start()
    try {
      const browser = lh.browser()
      const statuses: number[] = []
      for (let i = 0; i < 32; i++) statuses.push((await browser.signIn(`user${i}@acme.test`, 'wrong')).status)
      expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true)
      expect(statuses.slice(30)).toEqual([429, 429])
      expect((await lh.platform.audit.search({ action: 'excess_rate_limit_exceeded' })).length).toBe(2)
    } finally {
      await lh.close()
    }
  })
})

describe('TOTP', () => {
  const codeAt = (secret: string, ms: number) => hotp(base32Decode(secret), totpStep(ms))

  it('enrols, requires the second factor at sign-in, refuses a replayed code, and spends recovery codes once', async () => {
    await h.user('fay@acme.test', password, org)
    const browser = h.browser()
    await browser.signIn('fay@acme.test', password)
    const enrol = await browser.request('POST', '/auth/mfa/enroll')
    expect(enrol.body.otpauthUri).toMatch(/^otpauth:\/\/totp\//)
    const secret: string = enrol.body.secret
    const activate = await browser.request('POST', '/auth/mfa/activate', { code: codeAt(secret, Date.now()) })
    expect(activate.status).toBe(200)
    const recoveryCodes: string[] = activate.body.recoveryCodes
    expect(recoveryCodes).toHaveLength(10)

    const next = h.browser()
    const step = await next.signIn('fay@acme.test', password)
    expect(step.body.secondFactorDue).toBe(true)
    expect((await next.request('GET', '/auth/session')).status).toBe(401)
    const nextStepCode = codeAt(secret, Date.now() + 30_000)
    expect((await next.request('POST', '/auth/mfa/verify', { code: nextStepCode })).status).toBe(200)
    expect((await next.request('GET', '/auth/session')).body.mfaVerified).toBe(true)

    const replay = h.browser()
    await replay.signIn('fay@acme.test', password)
    const replayed = await replay.request('POST', '/auth/mfa/verify', { code: nextStepCode })
    expect(replayed.status).toBe(401)
    expect(replayed.body.detail).toMatch(/already used/)
    expect((await replay.request('POST', '/auth/mfa/verify', { recoveryCode: recoveryCodes[0] })).status).toBe(200)

    const again = h.browser()
    await again.signIn('fay@acme.test', password)
    expect((await again.request('POST', '/auth/mfa/verify', { recoveryCode: recoveryCodes[0] })).status).toBe(401)
    expect((await again.request('POST', '/auth/mfa/verify', { recoveryCode: recoveryCodes[1]!.toUpperCase() })).status).toBe(200)
    const recorded = await actions('fay@acme.test')
    expect(recorded).toEqual(expect.arrayContaining(['authn_mfa_enabled', 'authn_mfa_fail', 'authn_mfa_recovery_used']))
  })

  it('keeps members of an organization that requires MFA out of its data until they verify a second factor', async () => {
    const strict = await h.organization('Strict')
    await h.platform.accounts.organizations.updateMany({ _id: strict._id }, { $set: { mfaRequired: true } })
    await h.user('gus@strict.test', password, strict, 'owner')
    const browser = h.browser()
    await browser.signIn('gus@strict.test', password)
    const refused = await browser.request('GET', `/orgs/${strict._id}/tokens`)
    expect(refused.status).toBe(403)
    expect(refused.body.detail).toMatch(/requires two-factor/)
    const { body } = await browser.request('POST', '/auth/mfa/enroll')
    await browser.request('POST', '/auth/mfa/activate', { code: codeAt(body.secret, Date.now()) })
    expect((await browser.request('GET', `/orgs/${strict._id}/tokens`)).status).toBe(200)
  })
})

describe('audit log over the API', () => {
  it('verifies the chain for an instance administrator and finds a tampered record', async () => {
    const operator = await h.user('ops@acme.test', password)
    await h.platform.accounts.users.updateMany({ _id: operator._id }, { $set: { instanceAdmin: true } })
    const browser = h.browser()
    await browser.signIn('ops@acme.test', password)
    const ok = await browser.request('GET', '/audit/verify')
    expect(ok.body.ok).toBe(true)
    const raw = await h.platform.metadata.collection<{ _id: string; seq: number; outcome: string }>({ name: 'audit_log', indexes: [] })
    await raw.updateMany({ seq: 2 }, { $set: { outcome: 'failure' } })
    const broken = await browser.request('GET', '/audit/verify')
    expect(broken.body).toMatchObject({ ok: false, brokenAt: 2, problem: 'changed' })
  })
})
