/**
 * @faultline/sdk-browser (IIFE build) in headless Chromium against a real Faultline: an error thrown
 * in a click handler arrives with its stack, the click and fetch breadcrumbs, tags and user.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildBrowserSdk } from '../sdk-browser/scripts/build'
import { startFaultline, type TestFaultline } from './support/faultline'

describe('sdk-browser against Faultline', () => {
  let faultline: TestFaultline
  let site: http.Server
  let browser: Browser
  let outdir: string
  let event: any

  beforeAll(async () => {
    faultline = await startFaultline()
    outdir = await mkdtemp(join(tmpdir(), 'faultline-sdk-browser-'))
    const bundle = await readFile((await buildBrowserSdk(outdir)).iife, 'utf8')
    const html = `<!doctype html><body><button id="buy" class="cta">Buy</button>
<script src="/faultline.min.js"></script>
<script>Faultline.init({ dsn: '${faultline.dsn}', release: 'web@2.0.0', environment: 'e2e' }); Faultline.setTag('page', 'product'); Faultline.setUser({ id: 'shopper-1' })</script>
<script src="/app.js"></script></body>`
    const appJs = `document.getElementById('buy').addEventListener('click', async function onBuy() {
  await fetch('/price').then(function (r) { return r.text() })
  throw new Error('checkout exploded')
})`
    site = http.createServer((req, res) => {
      if (req.url === '/faultline.min.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle)
      if (req.url === '/app.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(appJs)
      if (req.url === '/price') return void res.writeHead(200).end('42')
      res.writeHead(200, { 'content-type': 'text/html' }).end(html)
    })
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r))
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`)
    await page.click('#buy')
    const issues = await faultline.waitFor(async () => {
      const { body } = await faultline.api('GET', `/projects/${faultline.projectId}/issues?status=all&limit=10`)
      return body.data.length > 0 ? body.data : undefined
    })
    // The processor opens the issue before it stores the event, so the issue can be listed a moment before its event reads back.
    event = await faultline.waitFor(async () => (await faultline.api('GET', `/projects/${faultline.projectId}/issues/${issues[0].id}`)).body.latestEvent?.payload)
  }, 90_000)

  afterAll(async () => {
    await browser?.close()
    site?.closeAllConnections()
    await new Promise((r) => site?.close(r))
    await faultline?.stop()
    if (outdir) await rm(outdir, { recursive: true, force: true })
  })

  it('arrives with stack trace, breadcrumbs, tags, user and page URL', () => {
    const exception = event.exceptions.at(-1)
    expect(exception).toMatchObject({ type: 'Error', value: 'checkout exploded' })
    expect(exception.mechanism).toMatchObject({ type: 'onunhandledrejection', handled: false })
    expect(exception.frames.at(-1)).toMatchObject({ function: 'HTMLButtonElement.onBuy', inApp: true })
    expect(exception.frames.at(-1).filename).toContain('/app.js')
    expect(event.breadcrumbs.find((b: any) => b.category === 'ui.click')?.message).toBe('button#buy.cta')
    expect(event.breadcrumbs.find((b: any) => b.category === 'fetch')?.data).toMatchObject({ method: 'GET', status_code: 200 })
    expect(event.tags.page).toBe('product')
    expect(event.user).toMatchObject({ id: 'shopper-1' })
    expect(event.release).toBe('web@2.0.0')
    expect(event.request.url).toContain('http://127.0.0.1:')
  })
})
