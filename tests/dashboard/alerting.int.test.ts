/**
 * The alerting pages end to end, in headless Chromium against Faultline started with `npm start`:
 * a configuration refused with its line shown, then applied; the routing tester; errors sent
 * with the project's key firing the rule into an alert group, acknowledged on its page; an
 * incident declared from the group with a note on its timeline; axe in light and dark.
 * Screenshots go to test-artifacts/dashboard/alerting-*.
 */
import { randomUUID } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SmtpSink } from '../../api/src/testing/smtp-sink'
import { alertingEndpoints } from '../../dashboard/src/lib/api/alerting-endpoints'
import { expectEndpointsDocumented, setUpOwnerAndProject } from './support/accounts'
import { accessibilityViolations, screenshot, step } from './support/browser'
import { startBrowserSuite, stopBrowserSuite } from './support/suite'
import { type NpmStarted } from './support/npm-start'

const soon = { timeout: 60_000, interval: 500 }
const config = `route:
  receiver: team
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
receivers:
  - name: team
    webhook_configs:
      - url: http://127.0.0.1:9/hook
  - name: pager
    webhook_configs:
      - url: http://127.0.0.1:9/pager
rules:
  - name: new-errors
    kind: issue
    when: [new]
`

let server: NpmStarted
let smtp: SmtpSink
let browser: Browser
let page: Page
let projectId: string
let orgId: string
let publicKey: string

const tabs = () => page.getByRole('navigation', { name: 'Alerting' })

/** A word of letters grouping does not mask as an id (no hex digits), different on every call. */
function distinctWord(): string {
  return Array.from(randomUUID().replaceAll('-', ''), (c) => 'ghijklmnopqrstuv'[parseInt(c, 16)]).join('')
}

async function sendError(message: string): Promise<void> {
  const response = await fetch(`${server.url}/api/${projectId}/store/?sentry_key=${publicKey}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ event_id: randomUUID().replaceAll('-', ''), message, level: 'error', platform: 'node' }),
  })
  expect(response.status, await response.clone().text()).toBeLessThan(300)
}

beforeAll(async () => {
  ;({ server, smtp, browser, page } = await startBrowserSuite('alerting-ui', (file) => file.startsWith('alerting-')))
}, 240_000)

afterAll(() => stopBrowserSuite({ server, smtp, browser }))

describe('the alerting pages in a browser', () => {
  it("calls only operations of the API's OpenAPI document, with declared query parameters", async () => {
    await expectEndpointsDocumented(server.url, alertingEndpoints)
  })

  it('sets up an owner and a project', async () => {
    await step(page, 'alerting-setup', async () => {
      ;({ orgId, projectId, publicKey } = await setUpOwnerAndProject(page, () => server.output(), soon))
    })
  }, 240_000)

  it('refuses a configuration with its line, applies a good one, and tests the routing', async () => {
    await step(page, 'alerting-config', async () => {
      await page.getByRole('link', { name: 'Alerting', exact: true }).click()
      await page.waitForURL(`${server.url}/orgs/${orgId}/alerting`)
      await tabs().getByRole('link', { name: 'Configuration' }).click()
      const editor = page.getByLabel('Alerting configuration (YAML)')
      await editor.fill(config.replace('receiver: pager', 'receiver: nobody'))
      await page.getByRole('button', { name: 'Apply' }).click()
      await page.getByRole('list', { name: 'Problems' }).getByText(/nobody/).waitFor()
      // The API points at the route entry naming the unknown receiver.
      expect(await page.getByRole('list', { name: 'Problems' }).getByRole('button').first().textContent()).toBe(`Line ${config.split('\n').findIndex((l) => l.includes('- matchers:')) + 1}`)
      await editor.fill(config)
      await page.getByRole('button', { name: 'Preview changes' }).click()
      await page.getByRole('region', { name: 'Changes' }).getByText('new-errors').waitFor()
      await page.getByRole('button', { name: 'Apply' }).click()
      await page.getByRole('status').getByText('Applied: revision 1').waitFor()
      await page.getByLabel(/^Labels/).fill('severity=critical')
      await page.getByRole('button', { name: 'Test routing' }).click()
      await expect.poll(() => page.getByRole('list', { name: 'Receivers reached' }).locator('strong').allTextContents(), soon).toEqual(['pager'])
      await page.getByLabel(/^Labels/).fill('severity=low')
      await page.getByRole('button', { name: 'Test routing' }).click()
      await expect.poll(() => page.getByRole('list', { name: 'Receivers reached' }).locator('strong').allTextContents(), soon).toEqual(['team'])
      expect(await accessibilityViolations(page)).toEqual([])
    })
  }, 120_000)

  it('shows the group an error fires, acknowledges it, and declares an incident with a note', async () => {
    await step(page, 'alerting-group', async () => {
      await tabs().getByRole('link', { name: 'Alert groups' }).click()
      // The tab navigates in the browser: a reload before the URL changed would reload the old page.
      await page.waitForURL(`${server.url}/orgs/${orgId}/alerting`)
      const firstGroup = page.locator('table.alert-groups tbody tr a').first()
      // The error is processed and dispatched in the background: reload until its group is stored.
      // Each reload lists the groups again: give the list time to arrive before counting.
      // A configuration acts on events after its replica has loaded it (read again every second),
      // which a loaded machine can delay: each round sends an error of a new issue (the rule fires
      // on new issues), so one lands after it. A random id in the message would not do: grouping
      // masks ids, so every round would join the first round's issue.
      const groupRows = async () => {
        await sendError(`Checkout failed in ${distinctWord()}`)
        await page.reload()
        const rows = page.locator('table.alert-groups tbody tr')
        return rows.first().waitFor({ timeout: 5_000 }).then(() => rows.count(), () => 0)
      }
      await expect.poll(groupRows, soon).toBeGreaterThan(0)
      await firstGroup.click()
      await page.waitForURL(/\/alerting\/groups\/[^/]+$/)
      await page.getByRole('button', { name: 'Acknowledge' }).click()
      await page.getByRole('status').getByText('Acknowledged').waitFor()
      await expect.poll(() => page.locator('h1 .badge').textContent(), soon).toBe('acknowledged')
      expect(await accessibilityViolations(page)).toEqual([])
      await page.getByLabel('Title').fill('Checkout is down')
      await page.getByRole('button', { name: 'Declare incident' }).click()
      await page.waitForURL(/\/alerting\/incidents\/[^/]+$/)
      await page.getByRole('heading', { name: /Checkout is down/ }).waitFor()
      await page.getByLabel('Add a note').fill('Rolled back release 1.2.3')
      await page.getByRole('button', { name: 'Add note' }).click()
      await page.getByRole('status').getByText('Note added').waitFor()
      await page.locator('ol.timeline li.note').getByText('Rolled back release 1.2.3').waitFor()
      expect(await accessibilityViolations(page)).toEqual([])
      await page.emulateMedia({ colorScheme: 'dark' })
      expect(await accessibilityViolations(page)).toEqual([])
      await screenshot(page, 'alerting-incident-dark')
      await page.emulateMedia({ colorScheme: 'light' })
    })
  }, 180_000)

  it('creates and expires a silence, and says which schedule does not exist', async () => {
    await step(page, 'alerting-silences', async () => {
      await tabs().getByRole('link', { name: 'Silences' }).click()
      await page.getByLabel(/^Matchers/).fill('severity="critical"')
      await page.getByLabel('Comment').fill('Deploy window')
      await page.getByRole('button', { name: 'Create silence' }).click()
      await page.getByRole('status').getByText('Silence created').waitFor()
      await page.getByRole('button', { name: 'Expire the silence severity="critical"' }).click()
      await page.getByRole('status').getByText('Silence expired').waitFor()
      await page.getByRole('cell', { name: /\(expired\)/ }).waitFor()
      expect(await accessibilityViolations(page)).toEqual([])
      await tabs().getByRole('link', { name: 'Schedules' }).click()
      await page.getByLabel('Schedule name').fill('primary')
      await page.getByRole('button', { name: 'Who is on call?' }).click()
      await page.getByRole('alert').getByText('No schedule primary').waitFor()
      expect(await accessibilityViolations(page)).toEqual([])
    })
  }, 120_000)
})
