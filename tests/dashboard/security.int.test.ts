/**
 * The security pages end to end, in headless Chromium against Faultline started with `npm start`:
 * security events sent as NDJSON with the project's key (and one error of the same user through
 * the Sentry store endpoint), searched in the timeline, narrowed by clicking a value, pivoted on
 * the attacking IP (its users, and the errors of those users beside them), pinned into an
 * investigation with a note, a rule's YAML refused with its line shown, and a member (no
 * `security:read`) who sees no Security entry. Screenshots go to test-artifacts/dashboard/security-*.
 */
import { randomUUID } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SmtpSink } from '../../api/src/testing/smtp-sink'
import { securityEndpoints } from '../../dashboard/src/lib/api/security-endpoints'
import { expectEndpointsDocumented, password, setUpOwnerAndProject } from './support/accounts'
import { accessibilityViolations, newPage, screenshot, step } from './support/browser'
import { startBrowserSuite, stopBrowserSuite } from './support/suite'
import { type NpmStarted } from './support/npm-start'

const attacker = '203.0.113.7'
const soon = { timeout: 60_000, interval: 250 }

let server: NpmStarted
let smtp: SmtpSink
let browser: Browser
let page: Page
let projectId: string
let orgId: string
let publicKey: string
let timelineUrl: string

/** A brute force on bob from one IP, bob then signing in from elsewhere, and an authorization failure of alice. */
function attack(now: number): string {
  const event = (fields: Record<string, unknown>) => JSON.stringify({ 'event.id': randomUUID().replaceAll('-', ''), ...fields })
  const failures = Array.from({ length: 12 }, (_, i) => event({ '@timestamp': now - 6_000 + i * 100, 'event.action': 'authn_login_fail', 'source.ip': attacker, 'user.name': 'bob', 'session.id': 'sess-bob-1', message: `Failed sign-in for bob (${i})` }))
  return [
    ...failures,
    event({ '@timestamp': now - 3_000, 'event.action': 'authn_login_success', 'event.outcome': 'success', 'source.ip': '198.51.100.4', 'user.name': 'bob', message: 'bob signed in' }),
    event({ '@timestamp': now - 2_000, 'event.action': 'authz_fail', 'source.ip': '192.0.2.9', 'user.name': 'alice', message: 'alice denied /admin' }),
  ].join('\n')
}

async function send(path: string, body: string, type: string): Promise<void> {
  const response = await fetch(`${server.url}/api/${projectId}/${path}?sentry_key=${publicKey}`, { method: 'POST', headers: { 'content-type': type }, body })
  expect(response.status, await response.clone().text()).toBeLessThan(300)
}

beforeAll(async () => {
  ;({ server, smtp, browser, page } = await startBrowserSuite('security-ui', (file) => file.startsWith('security-')))
}, 240_000)

afterAll(() => stopBrowserSuite({ server, smtp, browser }))

const rows = (p: Page) => p.locator('table.security-events tbody tr')

describe('the security pages in a browser', () => {
  it("calls only operations of the API's OpenAPI document, with declared query parameters", async () => {
    await expectEndpointsDocumented(server.url, securityEndpoints)
  })

  it('sets up an owner and a project, and takes security events and an error from its key', async () => {
    await step(page, 'security-setup', async () => {
      ;({ orgId, projectId, publicKey } = await setUpOwnerAndProject(page, () => server.output(), soon))
      timelineUrl = `${server.url}/projects/${projectId}/security`
    })
    await send('security/events/', attack(Date.now()), 'application/x-ndjson')
    await send('store/', JSON.stringify({ event_id: randomUUID().replaceAll('-', ''), message: 'Checkout failed for bob', level: 'error', platform: 'node', user: { username: 'bob' } }), 'application/json')
  }, 240_000)

  it('searches the timeline, and narrows it by clicking a value', async () => {
    await step(page, 'security-timeline', async () => {
      await page.goto(server.url)
      await page.getByRole('link', { name: 'Security', exact: true }).click()
      await page.waitForURL(timelineUrl)
      // The events are processed in the background: search again until they are stored.
      await expect.poll(async () => (await page.getByRole('button', { name: 'Search', exact: true }).click(), rows(page).count()), soon).toBe(14)
      await page.getByRole('combobox', { name: 'Security query' }).fill('event.action: authn_login_fail')
      await page.getByRole('button', { name: 'Search', exact: true }).click()
      await page.waitForURL(/q=event\.action/)
      await expect.poll(() => rows(page).count(), soon).toBe(12)
      await page.getByRole('figure', { name: /Events over time: 12 in/ }).waitFor()
      await rows(page).first().getByRole('button', { name: 'bob', exact: true }).click()
      await expect.poll(() => new URL(page.url()).searchParams.get('q'), soon).toBe('event.action: authn_login_fail and user.name: bob')
      await expect.poll(() => rows(page).count(), soon).toBe(12)
      await page.getByRole('combobox', { name: 'Security query' }).fill('event.action: (')
      await page.getByRole('button', { name: 'Search', exact: true }).click()
      await page.getByRole('alert').filter({ hasText: 'Invalid query' }).waitFor()
      await page.goBack()
      await expect.poll(() => rows(page).count(), soon).toBe(12)
      expect(await accessibilityViolations(page)).toEqual([])
      await screenshot(page, 'security-timeline')
      await page.emulateMedia({ colorScheme: 'dark' })
      await page.reload()
      await expect.poll(() => rows(page).count(), soon).toBe(12)
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark')
      expect(await accessibilityViolations(page)).toEqual([])
      await screenshot(page, 'security-timeline-dark')
      await page.emulateMedia({ colorScheme: 'light' })
    })
  }, 120_000)

  it('pivots on the attacking IP: its user and the errors of that user beside it', async () => {
    await step(page, 'security-pivot', async () => {
      await rows(page).first().getByRole('link', { name: `Pivot on source.ip ${attacker}` }).click()
      await page.getByRole('heading', { name: `IP address ${attacker}` }).waitFor()
      await page.getByText('12 security events').waitFor()
      const security = page.getByRole('region', { name: 'Security events' })
      await security.getByRole('link', { name: 'bob', exact: true }).waitFor()
      await security.getByRole('link', { name: 'sess-bob-1' }).waitFor()
      const errors = page.getByRole('region', { name: 'Errors of the same users' })
      // Each reload loads the pivot again: count only once it has arrived (the error may still be on its way to the store).
      const errorLinks = async () => {
        await page.reload()
        await page.getByText('12 security events').waitFor()
        return errors.getByRole('link', { name: 'Checkout failed for bob' }).count()
      }
      await expect.poll(errorLinks, soon).toBe(1)
      await screenshot(page, 'security-pivot')
    })
  }, 120_000)

  it('pins events into an investigation with a note, which a reload shows again', async () => {
    await step(page, 'security-investigation', async () => {
      await page.goto(`${timelineUrl}?q=${encodeURIComponent('user.name: bob')}`)
      await expect.poll(() => rows(page).count(), soon).toBe(13)
      const pinned = [await rows(page).nth(0).getAttribute('data-event-id'), await rows(page).nth(1).getAttribute('data-event-id')]
      await rows(page).nth(0).getByRole('checkbox').check()
      await rows(page).nth(1).getByRole('checkbox').check()
      await page.getByText('2 events pinned').waitFor()
      await page.getByRole('textbox', { name: 'Investigation title' }).fill('Brute force on bob')
      await page.getByRole('button', { name: 'Open investigation' }).click()
      await page.waitForURL(/\/security\/investigations\/[0-9a-f-]{36}$/)
      await page.getByRole('heading', { name: /Brute force on bob/ }).waitFor()
      await expect.poll(() => rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-event-id'))), soon).toEqual(pinned)
      await page.getByRole('textbox', { name: 'Add a note' }).fill(`Blocked ${attacker} at the edge`)
      await page.getByRole('button', { name: 'Add note' }).click()
      await page.getByText('Note added').waitFor()
      await page.getByRole('button', { name: 'Close investigation' }).click()
      await page.getByText('Investigation closed').waitFor()
      await page.reload()
      await page.getByText(`Blocked ${attacker} at the edge`).waitFor()
      await page.getByRole('heading', { name: /Brute force on bob\s*closed/ }).waitFor()
      await expect.poll(() => rows(page).count(), soon).toBe(2)
      await page.getByRole('link', { name: 'Investigations' }).click()
      await page.getByRole('link', { name: 'Brute force on bob' }).waitFor()
      await screenshot(page, 'security-investigation')
    })
  }, 120_000)

  it('lists the detection and the rules, shows a bad rule its line, and backtests the built-in brute-force rule', async () => {
    await step(page, 'security-rules', async () => {
      await page.getByRole('link', { name: 'Detections' }).click()
      await page.waitForURL(/\/security\/detections$/)
      // Each reload lists the detections again: give the list time to arrive before counting.
      const detectionCells = async () => {
        await page.reload()
        const cell = page.getByRole('cell', { name: /Brute force from one IP/ })
        return cell.first().waitFor({ timeout: 5_000 }).then(() => cell.count(), () => 0)
      }
      await expect.poll(detectionCells, soon).toBeGreaterThan(0)
      await page.getByRole('link', { name: 'Rules', exact: true }).click()
      const bruteForce = page.getByRole('row', { name: /Brute force from one IP/ })
      await bruteForce.getByRole('button', { name: 'Edit' }).click()
      await page.getByRole('button', { name: 'Backtest' }).click()
      await page.getByText(/^1 detection over \d+ events? scanned/).waitFor()
      const yaml = page.getByRole('textbox', { name: 'Rule (YAML)' })
      await yaml.fill((await yaml.inputValue()).replace('kind: threshold', 'kind: thresold'))
      await page.getByRole('button', { name: 'Save rule' }).click()
      await page.getByRole('alert').filter({ hasText: 'The rule does not validate' }).getByRole('button', { name: 'Line 4' }).waitFor()
      await page.getByRole('button', { name: 'Close' }).click()
      await bruteForce.getByRole('checkbox', { name: 'Brute force from one IP enabled' }).uncheck()
      await page.getByText('Brute force from one IP disabled').waitFor()
      await page.reload()
      expect(await page.getByRole('checkbox', { name: 'Brute force from one IP enabled' }).isChecked()).toBe(false)
      expect(await accessibilityViolations(page)).toEqual([])
      await screenshot(page, 'security-rules')
    })
  }, 120_000)

  it('shows no Security entry to a member, whose role lacks security:read', async () => {
    await step(page, 'security-member', async () => {
      await page.goto(`${server.url}/orgs/${orgId}/members`)
      await page.locator('input[name=email]').fill('member@example.com')
      await page.locator('select[name=role]').selectOption('member')
      await page.getByRole('button', { name: 'Send invitation' }).click()
      await page.getByText('Invited member@example.com as member').waitFor()
    })
    const mail = await smtp.waitFor('member@example.com')
    const decoded = mail.raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    const link = /(http:\/\/\S+\/invitations\/accept\?token=[A-Za-z0-9_-]+)/.exec(decoded)![1]!
    const { context, page: memberPage } = await newPage(browser)
    await step(memberPage, 'security-member-view', async () => {
      await memberPage.goto(link)
      await memberPage.fill('input[name=name]', 'Mia Member')
      await memberPage.fill('input[name=password]', password)
      await memberPage.click('button[type=submit]')
      await memberPage.getByRole('link', { name: 'Issues', exact: true }).waitFor()
      expect(await memberPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).count()).toBe(0)
      await memberPage.goto(timelineUrl)
      await memberPage.getByRole('alert').filter({ hasText: 'Forbidden (403)' }).first().waitFor()
    })
    await context.close()
  }, 120_000)
})
