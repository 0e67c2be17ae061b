/**
 * What every browser suite starts from: a fresh data directory with an SMTP sink configured,
 * Faultline started the way the README starts it, and headless Chromium with one page; and the
 * reverse at the end.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { SmtpSink } from '../../../api/src/testing/smtp-sink'
import { configureSmtp } from './accounts'
import { artifactsDir, launchChromium, newPage } from './browser'
import { npmStart, type NpmStarted } from './npm-start'

export interface BrowserSuite {
  server: NpmStarted
  smtp: SmtpSink
  browser: Browser
  page: Page
}

/** Starts the suite; first removes the artifacts `isOwnArtifact` names, so a failure's screenshot is never one left by an earlier run. */
export async function startBrowserSuite(name: string, isOwnArtifact: (file: string) => boolean): Promise<BrowserSuite> {
  for (const file of existsSync(artifactsDir) ? readdirSync(artifactsDir) : []) if (isOwnArtifact(file)) rmSync(join(artifactsDir, file), { recursive: true, force: true })
  const dataDir = mkdtempSync(join(tmpdir(), `faultline-${name}-`))
  const smtp = await new SmtpSink().start()
  await configureSmtp(dataDir, smtp.port)
  const server = await npmStart({ PROCESSOR_FLUSH_MS: '50' }, dataDir)
  const browser = await launchChromium()
  const { page } = await newPage(browser)
  return { server, smtp, browser, page }
}

export async function stopBrowserSuite(suite: Partial<BrowserSuite>): Promise<void> {
  await suite.browser?.close()
  await suite.server?.stop()
  await suite.smtp?.close()
}
