/**
 * The security analyst in headless Chromium against Faultline started with `npm start`: the owner
 * puts project Shop in team SecOps and project Billing in team Payments, and invites an analyst
 * (role `security-analyst`, team SecOps). The analyst signs in through the dashboard and sees the
 * navigation the access matrix gives the role, Shop's security timeline and none of Billing's
 * events; opens an event in full (every field, filter in and out, keyboard and axe clean), and
 * writes a query with field-name and value suggestions. Screenshots: test-artifacts/dashboard/analyst-*.
 */
import { randomUUID } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { roleHolds, type Permission } from '../../api/src/permissions/matrix'
import type { SmtpSink } from '../../api/src/testing/smtp-sink'
import { orgNav, projectNav } from '../../dashboard/src/lib/nav'
import { password, setUpOwnerAndProject } from './support/accounts'
import { accessibilityViolations, newPage, screenshot, step } from './support/browser'
import { startBrowserSuite, stopBrowserSuite } from './support/suite'
import { type NpmStarted } from './support/npm-start'

const soon = { timeout: 30_000, interval: 250 }
const analystEmail = 'analyst@example.com'

let server: NpmStarted
let smtp: SmtpSink
let browser: Browser
let owner: Page
let analyst: Page
let orgId: string
let shop: { id: string; key: string }
let billing: { id: string; key: string }

/** An API call as the signed-in owner (the session cookie, and the CSRF token echoed as the dashboard does). */
async function asOwner<T>(method: string, path: string, body?: unknown): Promise<T> {
  const csrf = (await owner.context().cookies()).find((c) => c.name === 'fl_csrf')?.value ?? ''
  const response = await owner.request.fetch(`${server.url}/api/v1${path}`, { method, data: body, headers: { 'x-csrf-token': csrf } })
  expect(response.status(), `${method} ${path}: ${await response.text()}`).toBeLessThan(300)
  return (await response.json()) as T
}

async function sendSecurityEvents(project: { id: string; key: string }, events: Record<string, unknown>[]): Promise<void> {
  const body = events.map((e) => JSON.stringify({ 'event.id': randomUUID().replaceAll('-', ''), ...e })).join('\n')
  const response = await fetch(`${server.url}/api/${project.id}/security/events/?sentry_key=${project.key}`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body })
  expect(response.status, await response.clone().text()).toBe(200)
}

beforeAll(async () => {
  ;({ server, smtp, browser, page: owner } = await startBrowserSuite('security-analyst', (file) => file.startsWith('analyst-')))
}, 240_000)

afterAll(() => stopBrowserSuite({ server, smtp, browser }))

const rows = (p: Page) => p.locator('table.security-events tbody tr')
const query = (p: Page) => p.getByRole('combobox', { name: 'Security query' })

describe('the security analyst in a browser', () => {
  it('is invited by the owner into the team of one project of two, each with its own security events', async () => {
    await step(owner, 'analyst-setup', async () => {
      const owned = await setUpOwnerAndProject(owner, () => server.output(), soon)
      orgId = owned.orgId
      shop = { id: owned.projectId, key: owned.publicKey }
      const secops = await asOwner<{ id: string }>('POST', `/orgs/${orgId}/teams`, { name: 'SecOps' })
      const payments = await asOwner<{ id: string }>('POST', `/orgs/${orgId}/teams`, { name: 'Payments' })
      await asOwner('PATCH', `/projects/${shop.id}`, { teamIds: [secops.id] })
      const created = await asOwner<{ id: string; dsn: string }>('POST', `/orgs/${orgId}/projects`, { name: 'Billing', teamIds: [payments.id] })
      billing = { id: created.id, key: /\/\/([0-9a-f]{32})@/.exec(created.dsn)![1]! }
      await asOwner('POST', `/orgs/${orgId}/invitations`, { email: analystEmail, role: 'security-analyst', teamIds: [secops.id] })
    })
    const now = Date.now()
    await sendSecurityEvents(shop, [
      ...Array.from({ length: 3 }, (_, i) => ({ '@timestamp': now - 5_000 + i, 'event.action': 'authn_login_fail', 'source.ip': '203.0.113.7', 'user.name': 'carol', 'session.id': 'sess-carol', message: `Failed sign-in for carol (${i})` })),
      { '@timestamp': now - 1_000, 'event.action': 'authn_login_success', 'event.outcome': 'success', 'source.ip': '203.0.113.7', 'user.name': 'carla', attributes: { 'mfa.method': 'totp' } },
    ])
    await sendSecurityEvents(billing, [{ '@timestamp': now - 2_000, 'event.action': 'authz_fail', 'source.ip': '198.51.100.4', 'user.name': 'dave', message: 'dave denied /invoices' }])
    // Billing's event is stored (the owner sees it), so the analyst's empty view of it below means "not allowed", not "not there yet".
    await expect.poll(async () => (await asOwner<{ data: unknown[] }>('GET', `/projects/${billing.id}/security/events`)).data.length, soon).toBe(1)
  }, 240_000)

  it("signs in through the dashboard and sees the navigation the access matrix gives the role", async () => {
    const mail = await smtp.waitFor(analystEmail)
    const decoded = mail.raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    const link = /(http:\/\/\S+\/invitations\/accept\?token=[A-Za-z0-9_-]+)/.exec(decoded)![1]!
    ;({ page: analyst } = await newPage(browser))
    await step(analyst, 'analyst-sign-in', async () => {
      await analyst.goto(link)
      await analyst.fill('input[name=name]', 'Ana Analyst')
      await analyst.fill('input[name=password]', password)
      await analyst.click('button[type=submit]')
      const nav = analyst.getByRole('navigation', { name: 'Main' })
      await nav.getByRole('link', { name: 'Security', exact: true }).waitFor()
      for (const entry of [...projectNav, ...orgNav]) {
        const shown = roleHolds('security-analyst', entry.permission as Permission)
        expect(await nav.getByRole('link', { name: entry.label, exact: true }).count(), `${entry.label} (${entry.permission})`).toBe(shown ? 1 : 0)
      }
      expect(projectNav.concat(orgNav).some((entry) => !roleHolds('security-analyst', entry.permission as Permission)), 'the matrix hides some entry from the role').toBe(true)
    })
  }, 120_000)

  it("sees the security timeline of its team's project, and nothing of the other project", async () => {
    await step(analyst, 'analyst-timeline', async () => {
      await analyst.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security', exact: true }).click()
      await analyst.waitForURL(`${server.url}/projects/${shop.id}/security`)
      await expect.poll(async () => (await analyst.getByRole('button', { name: 'Search', exact: true }).click(), rows(analyst).count()), soon).toBe(4)
      expect(await analyst.getByText('dave').count()).toBe(0)
      const listed = await analyst.evaluate(async () => (await (await fetch('/api/v1/projects')).json()) as { data: { id: string }[] })
      expect(listed.data.map((p) => p.id)).toEqual([shop.id])
      const other = await analyst.evaluate(async (id) => (await fetch(`/api/v1/projects/${id}/security/events`)).status, billing.id)
      expect(other, "the other project's events do not exist for the analyst").toBe(404)
      await analyst.goto(`${server.url}/projects/${billing.id}/security`)
      await analyst.getByRole('alert').filter({ hasText: '(404)' }).first().waitFor()
      expect(await rows(analyst).count()).toBe(0)
    })
  }, 120_000)

  it('opens an event in full from its row, filters in and out from it, and closes it with Escape', async () => {
    await step(analyst, 'analyst-event-detail', async () => {
      await analyst.goto(`${server.url}/projects/${shop.id}/security`)
      await expect.poll(() => rows(analyst).count(), soon).toBe(4)
      const carla = rows(analyst).filter({ hasText: 'carla' })
      const id = await carla.getAttribute('data-event-id')
      await carla.getByRole('button', { name: `Details of event ${id}` }).focus()
      await analyst.keyboard.press('Enter')
      const flyout = analyst.getByRole('dialog', { name: /Event authn_login_success/ })
      await flyout.waitFor()
      expect(await analyst.evaluate(() => document.activeElement?.id)).toBe('event-detail-title')
      expect(new URL(analyst.url()).searchParams.get('event'), 'the open event is part of the URL').toBe(id)
      await analyst.reload()
      await flyout.waitFor()
      const fields = flyout.getByRole('table')
      await fields.getByRole('row', { name: /attributes\.mfa\.method\s+totp/ }).waitFor()
      await fields.getByRole('row', { name: /related\.user\s+carla/ }).waitFor()
      await fields.getByRole('row', { name: /event\.id/ }).getByText(id!).waitFor()
      expect(await accessibilityViolations(analyst)).toEqual([])
      await screenshot(analyst, 'analyst-event-detail')
      await analyst.emulateMedia({ colorScheme: 'dark' })
      await analyst.reload()
      await fields.getByRole('row', { name: /attributes\.mfa\.method\s+totp/ }).waitFor()
      expect(await analyst.evaluate(() => document.documentElement.dataset.theme)).toBe('dark')
      expect(await accessibilityViolations(analyst)).toEqual([])
      await screenshot(analyst, 'analyst-event-detail-dark')
      await analyst.emulateMedia({ colorScheme: 'light' })
      await flyout.getByRole('button', { name: 'Filter out user.name: carla' }).click()
      await expect.poll(() => new URL(analyst.url()).searchParams.get('q')).toBe('not user.name: carla')
      await expect.poll(() => rows(analyst).count(), soon).toBe(3)
      await flyout.getByRole('button', { name: 'Filter in source.ip: 203.0.113.7' }).click()
      await expect.poll(() => new URL(analyst.url()).searchParams.get('q')).toBe('not user.name: carla and source.ip: 203.0.113.7')
      await flyout.getByRole('heading', { name: /Event/ }).focus()
      await analyst.keyboard.press('Escape')
      await flyout.waitFor({ state: 'detached' })
      expect(new URL(analyst.url()).searchParams.get('event')).toBeNull()
      const focused = () => analyst.evaluate(() => document.activeElement?.id || document.activeElement?.getAttribute('aria-label'))
      // The search no longer shows the event: the focus goes to the query box.
      await expect.poll(focused).toBe('security-query')
      // A click on the row itself (not on a value) opens it too.
      await rows(analyst).first().locator('time').click()
      await analyst.getByRole('dialog', { name: /Event authn_login_fail/ }).waitFor()
      await analyst.getByRole('dialog').getByRole('button', { name: 'Close' }).click()
      await analyst.getByRole('dialog').waitFor({ state: 'detached' })
      await expect.poll(focused).toMatch(/^Details of event /) // back to the row it was opened from
    })
  }, 120_000)

  it('writes a query with suggested field names and values, from the keyboard', async () => {
    await step(analyst, 'analyst-autocomplete', async () => {
      await analyst.goto(`${server.url}/projects/${shop.id}/security`)
      await expect.poll(() => rows(analyst).count(), soon).toBe(4)
      await query(analyst).fill('')
      await query(analyst).pressSequentially('user.na')
      const options = analyst.getByRole('listbox', { name: 'Suggestions' }).getByRole('option')
      await expect.poll(() => options.allTextContents()).toEqual([expect.stringContaining('user.name')])
      await analyst.keyboard.press('ArrowDown')
      await analyst.keyboard.press('Tab')
      await expect.poll(() => query(analyst).inputValue()).toBe('user.name: ')
      await query(analyst).pressSequentially('car')
      await expect.poll(() => options.allTextContents(), soon).toEqual([expect.stringMatching(/^carol\s*3 events$/), expect.stringMatching(/^carla\s*1 event$/)])
      expect(await accessibilityViolations(analyst)).toEqual([])
      await screenshot(analyst, 'analyst-autocomplete')
      await analyst.keyboard.press('ArrowDown')
      await analyst.keyboard.press('Enter')
      await expect.poll(() => query(analyst).inputValue()).toBe('user.name: carol ')
      await analyst.keyboard.press('Enter')
      await expect.poll(() => new URL(analyst.url()).searchParams.get('q')).toBe('user.name: carol')
      await expect.poll(() => rows(analyst).count(), soon).toBe(3)
    })
  }, 120_000)
})
