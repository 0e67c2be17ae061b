/**
 * The dashboard end to end, in headless Chromium against Faultline started with `npm start`, as
 * the README has a new user do it: set up the owner from the link `npm start` prints, create a
 * project and copy its DSN, send errors with the unmodified @sentry/node SDK and see them appear
 * without a reload, search (and its URL surviving a reload), triage from the keyboard, walk an
 * issue's events, resolve it and see it regress, invite a viewer by mail (a real SMTP server) who
 * sees no write actions and whose write is refused, sign in again back to the same view, and
 * axe-core in both themes. Screenshots go to test-artifacts/dashboard/ (on failure, and a few on success).
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SmtpSink } from '../../api/src/testing/smtp-sink'
import { password } from './support/accounts'
import { accessibilityViolations, newPage, screenshot, step } from './support/browser'
import { startBrowserSuite, stopBrowserSuite } from './support/suite'
import { repoRoot, type NpmStarted } from './support/npm-start'

const run = promisify(execFile)
const owner = { email: 'owner@example.com', name: 'Olive Owner' }
const viewer = { email: 'viewer@example.com', name: 'Vic Viewer' }

let server: NpmStarted
let smtp: SmtpSink
let browser: Browser
let page: Page
let projectId: string
let dsn: string
let streamUrl: string
let issueEventUrl: string

/** The @sentry/node fixture app: three "card missing" TypeErrors, one other TypeError, one message. */
async function sendErrorsWithSentrySdk(): Promise<void> {
  const { stdout } = await run(process.execPath, [join(repoRoot, 'tests/fixtures/sentry-app/app.mjs')], {
    env: { PATH: process.env.PATH, FAULTLINE_DSN: dsn, DB_PASSWORD: 'hunter2', CARD_NUMBER: '4242424242424242' },
  })
  expect(JSON.parse(stdout)).toEqual({ flushed: true })
}

/** How long to wait for what the page shows next (a poll round, a processed event) before failing. */
const soon = { timeout: 60_000, interval: 100 }

const rows = (p: Page) => p.locator('table.issues tbody tr')

async function signIn(p: Page, email: string): Promise<void> {
  await p.fill('input[name=email]', email)
  await p.fill('input[name=password]', password)
  await p.click('button[type=submit]')
}

beforeAll(async () => {
  ;({ server, smtp, browser, page } = await startBrowserSuite('dashboard', () => true))
}, 240_000)

afterAll(() => stopBrowserSuite({ server, smtp, browser }))

/** The quoted-printable mail body with soft breaks and escapes undone. */
const decoded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))

describe('the dashboard in a browser', () => {
  it('sets up the owner from the link npm start printed, then creates a project and shows its DSN', async () => {
    await step(page, 'setup', async () => {
      const setupLink = () => /(http:\/\/\S+\/setup\?token=\S+)/.exec(server.output())?.[1]
      await expect.poll(setupLink, soon).toBeTruthy()
      await page.goto(server.url)
      await page.waitForURL(/\/login/)
      await page.getByText('Faultline has no owner yet').waitFor()
      await page.goto(setupLink()!)
      await page.fill('input[name=organization]', 'Acme')
      await page.fill('input[name=name]', owner.name)
      await page.fill('input[name=email]', owner.email)
      await page.fill('input[name=password]', password)
      await page.fill('input[name=confirm]', password)
      await page.click('button[type=submit]')
      // No project yet: the organization's project list, where the owner creates one.
      await page.waitForURL(/\/orgs\/\d+\/projects$/)
      await page.getByLabel('Name').fill('Shop')
      await page.getByLabel('Platform').selectOption('node')
      await page.getByRole('button', { name: 'Create project' }).click()
      const shown = page.locator('.created code')
      await shown.waitFor()
      dsn = (await shown.textContent())!
      expect(dsn).toMatch(new RegExp(`^http://[0-9a-f]{32}@127\\.0\\.0\\.1:\\d+/\\d+$`))
      projectId = dsn.split('/').at(-1)!
      await page.locator('tbody tr', { hasText: 'Shop' }).getByRole('cell', { name: 'node', exact: true }).waitFor()
      streamUrl = `${server.url}/projects/${projectId}/issues`
      await screenshot(page, 'project-created')
    })
  }, 90_000)

  it('sends a signed-out visitor to sign in, then back to the page asked for', async () => {
    await step(page, 'sign-in', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.waitForURL(/\/login$/)
      await page.goto(`${streamUrl}?q=is%3Aunresolved&range=24h`)
      await page.waitForURL(/\/login\?returnTo=/)
      await signIn(page, owner.email)
      await page.waitForURL(`${streamUrl}?q=is%3Aunresolved&range=24h`)
      await page.getByText('No issues match').waitFor()
    })
  }, 90_000)

  it('shows errors sent with @sentry/node as they arrive, without a reload', async () => {
    await step(page, 'stream-live', async () => {
      await page.goto(streamUrl)
      await page.getByText('No issues match').waitFor()
      await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true))
      await sendErrorsWithSentrySdk()
      await expect.poll(() => rows(page).count(), soon).toBe(3)
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true)
      await expect.poll(() => rows(page).filter({ hasText: 'card missing' }).locator('td.num').first().textContent(), soon).toBe('3')
      await screenshot(page, 'stream')
    })
  }, 90_000)

  it('searches with the query language and autocomplete; the URL survives a reload', async () => {
    await step(page, 'search', async () => {
      await page.keyboard.press('/')
      const search = page.getByRole('combobox', { name: 'Search issues' })
      await expect.poll(() => page.evaluate(() => document.activeElement?.id), soon).toBe('issue-search')
      await search.press('End')
      await search.pressSequentially(' reg')
      await page.getByRole('option', { name: /^region:/ }).waitFor()
      await search.press('ArrowDown')
      await search.press('Enter')
      await expect.poll(() => search.inputValue(), soon).toBe('is:unresolved region:')
      await page.getByRole('option', { name: /^eu-west-1/ }).waitFor()
      await search.fill('is:unresolved level:warning')
      await search.press('Enter')
      await page.waitForURL(/q=is%3Aunresolved\+level%3Awarning/)
      await expect.poll(() => rows(page).count(), soon).toBe(1)
      await expect.poll(() => rows(page).first().textContent(), soon).toContain('Payment provider timeout')
      await page.reload()
      await expect.poll(() => rows(page).count(), soon).toBe(1)
      expect(await search.inputValue()).toBe('is:unresolved level:warning')
      // The environment switcher offers the environments of the data (asked once the rows are in).
      await page.getByLabel('Environment').locator('option', { hasText: 'staging' }).waitFor({ state: 'attached' })
    })
  }, 60_000)

  it('opens an issue from the keyboard and walks its events', async () => {
    await step(page, 'issue-events', async () => {
      await page.goto(`${streamUrl}?q=${encodeURIComponent('is:unresolved card missing')}`)
      await expect.poll(() => rows(page).count(), soon).toBe(1)
      await page.keyboard.press('j')
      await page.keyboard.press('Enter')
      await page.waitForURL(/\/issues\/\d+$/)
      await page.getByRole('heading', { level: 1, name: /Cannot charge order/ }).waitFor()
      const nav = page.getByRole('navigation', { name: 'Events of this issue' })
      await nav.locator('[data-nav=older]').waitFor()
      expect(await nav.locator('[data-nav=newer]').count()).toBe(0)
      const eventId = () => nav.locator('code').textContent()
      const latest = await eventId()
      await nav.locator('[data-nav=older]').click()
      await page.waitForURL(/\/events\/[0-9a-f]{32}$/)
      await expect.poll(eventId, soon).not.toBe(latest)
      await nav.locator('[data-nav=oldest]').click()
      await expect.poll(() => nav.locator('[data-nav=older]').count(), soon).toBe(0)
      await nav.locator('[data-nav=newer]').waitFor()
      const oldestUrl = page.url()
      issueEventUrl = oldestUrl
      await page.reload()
      await expect.poll(eventId, soon).not.toBe(latest)
      expect(page.url()).toBe(oldestUrl)
      await nav.locator('[data-nav=latest]').click()
      await expect.poll(eventId, soon).toBe(latest)
      // The in-app frame is open on the failing line.
      await page.locator('.frame.in-app .line.current', { hasText: 'throw new TypeError' }).first().waitFor()
      await screenshot(page, 'issue')
    })
  }, 60_000)

  it('resolves the issue, then shows its regression when a new event arrives', async () => {
    await step(page, 'regression', async () => {
      const status = page.getByTestId('issue-status')
      await page.keyboard.press('r')
      await expect.poll(() => status.textContent(), soon).toContain('Resolved')
      await page.getByText('resolved the issue').waitFor()
      await sendErrorsWithSentrySdk()
      await expect.poll(() => status.textContent(), soon).toContain('Regressed')
      await page.getByText('A new event made it a regression').waitFor()
      await page.getByRole('button', { name: /new events? · show the latest/ }).waitFor()
      await screenshot(page, 'regression')
    })
  }, 60_000)

  it("shows the issue's event rate, root-cause hints and similar issues, and the project's patterns and clusters", async () => {
    await step(page, 'intelligence', async () => {
      await page.getByRole('heading', { name: 'Event rate' }).waitFor()
      await page.locator('.chart canvas').waitFor()
      await expect.poll(() => page.locator('figcaption').textContent(), soon).toMatch(/^\s*[1-9]\d* events/)
      await page.getByRole('heading', { name: 'Root cause hints' }).waitFor()
      await page.locator('.hints li', { hasText: 'First seen' }).waitFor()
      await page.getByRole('heading', { name: 'Similar issues' }).waitFor()
      await expect.poll(() => page.locator('section[aria-labelledby=similar-title] .similar, section[aria-labelledby=similar-title] p').count(), soon).toBeGreaterThan(0)
      await screenshot(page, 'issue-intelligence')
      await page.getByRole('link', { name: 'Patterns' }).click()
      const template = page.locator('button.template', { hasText: 'Payment provider timeout after' })
      await template.waitFor()
      await template.click()
      await page.locator('ul.events a').first().waitFor()
      await screenshot(page, 'patterns')
      await page.getByRole('link', { name: 'Clusters' }).click()
      await page.getByRole('heading', { name: 'Clusters', exact: true }).waitFor()
      await expect.poll(() => page.locator('article.cluster, .empty').count(), soon).toBeGreaterThan(0)
      await page.goBack()
      await page.goBack()
    })
  }, 60_000)

  it('has no serious accessibility violations, in the light and the dark theme', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { context, page: themed } = await newPage(browser, { colorScheme })
      await step(themed, `a11y-${colorScheme}`, async () => {
        await context.addCookies(await page.context().cookies())
        await themed.goto(streamUrl)
        await expect.poll(() => rows(themed).count(), soon).toBeGreaterThan(0)
        expect(await themed.evaluate(() => document.documentElement.dataset.theme)).toBe(colorScheme)
        expect(JSON.stringify(await accessibilityViolations(themed), null, 1)).toBe('[]')
        await rows(themed).filter({ hasText: 'card missing' }).locator('a.title').click()
        await themed.locator('.frame').first().waitFor()
        expect(JSON.stringify(await accessibilityViolations(themed), null, 1)).toBe('[]')
        if (colorScheme === 'dark') await screenshot(themed, 'issue-dark')
      })
      await context.close()
    }
  }, 90_000)

  it("changes the project's scrubbing and retention settings, which a reload shows as a new version", async () => {
    await step(page, 'privacy', async () => {
      await page.goto(streamUrl)
      await page.getByRole('link', { name: 'Privacy and retention' }).click()
      await page.getByRole('heading', { name: /Scrubbing and retention \(version 0\)/ }).waitFor()
      expect(JSON.stringify(await accessibilityViolations(page), null, 1)).toBe('[]')
      await page.getByLabel('Keep events for (days)').fill('30')
      await page.getByLabel('IP addresses').selectOption('truncate')
      const openDefaultRules = () => page.locator('details', { hasText: 'Its rules' }).first().locator('summary').click()
      await openDefaultRules()
      const emails = page.locator('li', { has: page.locator('code', { hasText: /^emails$/ }) }).getByRole('checkbox')
      await emails.uncheck()
      await page.getByRole('button', { name: 'Save', exact: true }).click()
      await page.getByText('Saved: new events are scrubbed').waitFor()
      await page.reload()
      await page.getByRole('heading', { name: /Scrubbing and retention \(version 1\)/ }).waitFor()
      expect(await page.getByLabel('Keep events for (days)').inputValue()).toBe('30')
      expect(await page.getByLabel('IP addresses').inputValue()).toBe('truncate')
      await openDefaultRules()
      expect(await emails.isChecked()).toBe(false)
      await page.locator('tbody tr', { hasText: '30 days' }).first().waitFor()
      await screenshot(page, 'privacy')
    })
  }, 60_000)

  it('invites a viewer by mail; the viewer sees no write actions, and the API refuses them', async () => {
    await step(page, 'invite', async () => {
      await page.getByRole('link', { name: 'Members' }).click()
      await page.locator('input[name=email]').fill(viewer.email)
      await page.locator('select[name=role]').selectOption('viewer')
      await page.getByRole('button', { name: 'Send invitation' }).click()
      await page.getByText(`Invited ${viewer.email} as viewer`).waitFor()
    })
    const mail = await smtp.waitFor(viewer.email)
    const link = /(http:\/\/\S+\/invitations\/accept\?token=[A-Za-z0-9_-]+)/.exec(decoded(mail.raw))![1]!
    const { context, page: viewerPage } = await newPage(browser)
    await step(viewerPage, 'viewer', async () => {
      await viewerPage.goto(link)
      await viewerPage.fill('input[name=name]', viewer.name)
      await viewerPage.fill('input[name=password]', password)
      await viewerPage.click('button[type=submit]')
      await viewerPage.waitForURL(streamUrl)
      await expect.poll(() => rows(viewerPage).count(), soon).toBeGreaterThan(0)
      expect(await viewerPage.getByRole('toolbar', { name: 'Issue actions' }).count()).toBe(0)
      expect(await viewerPage.locator('table.issues input[type=checkbox]').count()).toBe(0)
      await rows(viewerPage).filter({ hasText: 'card missing' }).locator('a.title').click()
      await viewerPage.locator('.frame').first().waitFor()
      expect(await viewerPage.getByRole('button', { name: 'Resolve', exact: true }).count()).toBe(0)
      expect(await viewerPage.getByRole('textbox', { name: 'Comment' }).count()).toBe(0)
      const before = await viewerPage.getByTestId('issue-status').textContent()
      await viewerPage.keyboard.press('r')
      // The same call the owner's button makes, sent with the viewer's session and CSRF token.
      const refused = await viewerPage.evaluate(async (projectId) => {
        const csrf = document.cookie.split('; ').find((c) => c.startsWith('fl_csrf='))!.slice(8)
        const issueId = location.pathname.split('/')[4]
        const response = await fetch(`/api/v1/projects/${projectId}/issues`, { method: 'PUT', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ ids: [issueId], status: 'resolved' }) })
        return response.status
      }, projectId)
      expect(refused).toBe(403)
      expect(await viewerPage.getByTestId('issue-status').textContent()).toBe(before)
      await viewerPage.getByRole('link', { name: 'Privacy and retention' }).click()
      await viewerPage.getByText('Only administrators can change these settings.').waitFor()
      expect(await viewerPage.getByLabel('Keep events for (days)').isDisabled()).toBe(true)
      expect(await viewerPage.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0)
      await screenshot(viewerPage, 'viewer-issue')
    })
    await context.close()
  }, 60_000)

  it('returns to the same view after the session ends and the user signs in again', async () => {
    await step(page, 'expired-session', async () => {
      const eventUrl = issueEventUrl
      await page.goto(eventUrl)
      await page.locator('.frame').first().waitFor()
      await page.context().clearCookies()
      await page.reload()
      await page.waitForURL(/\/login\?returnTo=/)
      await signIn(page, owner.email)
      await page.waitForURL(eventUrl)
      await page.locator('.frame').first().waitFor()
      expect((page as Page & { errors: string[] }).errors).toEqual([])
    })
  }, 60_000)
})
