/**
 * What the browser tests need in place before Faultline starts on a data directory (the SMTP
 * server invitations go through, written as `faultline setup --smtp-url` would), and the owner
 * and project they start from.
 */
import { loadConfig } from '@faultline/core/config'
import { createLogger } from '@faultline/core/log'
import { openPlatform } from '@faultline/core/platform'
import { writeSmtpSettings } from '@faultline/api'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import type { Endpoint } from '../../../dashboard/src/lib/api/endpoints'

export const password = 'correct horse battery staple'

export async function configureSmtp(dataDir: string, port: number): Promise<void> {
  const platform = await openPlatform(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), { logger: createLogger('warn'), withEventStore: false })
  try {
    await writeSmtpSettings(platform, { host: '127.0.0.1', port, secure: false, from: 'faultline@example.com' }, undefined)
  } finally {
    await platform.close()
  }
}

/** The owner's organization and first project, created through the setup page and the projects page. */
export interface OwnedProject {
  orgId: string
  projectId: string
  publicKey: string
}

/**
 * Completes first-run setup from the link the server printed (organization Acme, owner
 * owner@example.com) and creates the project Shop; answers the ids and the DSN key it shows.
 */
export async function setUpOwnerAndProject(page: Page, serverOutput: () => string, wait: { timeout: number; interval: number }): Promise<OwnedProject> {
  const setupLink = () => /(http:\/\/\S+\/setup\?token=\S+)/.exec(serverOutput())?.[1]
  await expect.poll(setupLink, wait).toBeTruthy()
  await page.goto(setupLink()!)
  await page.fill('input[name=organization]', 'Acme')
  await page.fill('input[name=name]', 'Olive Owner')
  await page.fill('input[name=email]', 'owner@example.com')
  await page.fill('input[name=password]', password)
  await page.fill('input[name=confirm]', password)
  await page.click('button[type=submit]')
  await page.waitForURL(/\/orgs\/\d+\/projects$/)
  const orgId = /\/orgs\/(\d+)\//.exec(page.url())![1]!
  await page.getByLabel('Name').fill('Shop')
  await page.getByRole('button', { name: 'Create project' }).click()
  const dsn = (await page.locator('.created code').textContent())!
  return { orgId, projectId: dsn.split('/').at(-1)!, publicKey: /\/\/([0-9a-f]{32})@/.exec(dsn)![1]! }
}

/** Every endpoint the pages call is an operation of the served OpenAPI document, with only the query parameters it declares. */
export async function expectEndpointsDocumented(serverUrl: string, endpoints: Record<string, Endpoint>): Promise<void> {
  const document = (await (await fetch(`${serverUrl}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> }
  for (const endpoint of Object.values(endpoints)) {
    const operation = document.paths[endpoint.path]?.[endpoint.method.toLowerCase()]
    expect(operation, `${endpoint.method} ${endpoint.path}`).toBeDefined()
    const declared = new Set((operation!.parameters ?? []).map((p) => p.name))
    expect((endpoint.query ?? []).filter((name) => !declared.has(name)), endpoint.path).toEqual([])
  }
}
