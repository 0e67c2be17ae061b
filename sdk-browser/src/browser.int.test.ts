import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseEnvelope, type Envelope, type Event } from '@faultline/sdk-core'
import { buildBrowserSdk } from '../scripts/build'

/**
 * The IIFE bundle in headless Chromium on a page served by a local server that is also the ingest:
 * envelopes are parsed with sdk-core's parser and checked field by field.
 */
let server: http.Server
let origin: string
let browser: Browser
let bundle: string
let outdir: string
const envelopes: Envelope[] = []

const appJs = `
window.failInTimer = function failInTimer() { setTimeout(function timerCallback() { throw new Error('thrown in timer') }, 0) }
window.failInPromise = function failInPromise() { Promise.reject(new TypeError('rejected promise')) }
document.getElementById('save').addEventListener('click', function onSaveClick() { throw new Error('thrown in listener') })
window.loadThenFail = async function loadThenFail() {
  await fetch('/data?token=secret').then(function (r) { return r.text() })
  await new Promise(function (resolve) { var x = new XMLHttpRequest(); x.open('POST', '/missing'); x.onloadend = resolve; x.send('body') })
  history.pushState({}, '', '/cart?step=2')
  console.warn('about to fail', { step: 2 })
  throw new Error('after fetch')
}
`

function page(dsn: string, body = ''): string {
  return `<!doctype html><html><head><title>t</title></head><body>
<form id="checkout"><button id="save" class="primary big" type="button">Save order</button><input name="card" value="4111 1111 1111 1111"></form>
<script src="/faultline.min.js"></script>
<script>Faultline.init({ dsn: '${dsn}', release: 'web@1.0.0', environment: 'test' }); Faultline.setTag('page', 'checkout'); Faultline.setUser({ id: 'buyer-1' })</script>
<script src="/app.js"></script>${body}</body></html>`
}

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'faultline-browser-int-'))
  bundle = await readFile((await buildBrowserSdk(outdir)).iife, 'utf8')
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/api/1/envelope/') {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        envelopes.push(parseEnvelope(Buffer.concat(chunks)))
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
      return
    }
    const dsn = `http://publickey@${req.headers.host}/1`
    if (url.pathname === '/faultline.min.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle)
    if (url.pathname === '/app.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(appJs)
    if (url.pathname === '/data') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    if (url.pathname === '/' || url.pathname === '/cart') return void res.writeHead(200, { 'content-type': 'text/html' }).end(page(dsn))
    if (url.pathname === '/other') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<p>other page</p>')
    res.writeHead(404).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  server?.closeAllConnections()
  await new Promise((r) => server?.close(r))
  await rm(outdir, { recursive: true, force: true })
})

const events = (): Event[] => envelopes.flatMap((e) => e[1].filter(([h]) => h.type === 'event').map(([, p]) => p as Event))

/** Waits for an event the ingest received, by its exception value or message; fails after `timeoutMs`. */
async function eventWith(value: string, timeoutMs = 10_000): Promise<Event> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = events().find((e) => e.exception?.values.at(-1)?.value === value || e.message === value)
    if (found) return found
    if (Date.now() > deadline) throw new Error(`no event "${value}"; got ${events().map((e) => e.exception?.values.at(-1)?.value ?? e.message).join(', ')}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

type PageSdk = { Faultline: { flush(timeoutMs?: number): Promise<boolean>; captureMessage(message: string): void } }

async function open(): Promise<Page> {
  const p = await browser.newPage()
  await p.goto(`${origin}/`)
  return p
}

describe('sdk-browser in Chromium', () => {
  it('reports an error thrown at the top level of a script with page, user, tags and release', async () => {
    const p = await open()
    await p.addScriptTag({ content: "(function topLevel() { throw new Error('top level boom') })()" })
    const event = await eventWith('top level boom')
    expect(event).toMatchObject({ platform: 'javascript', release: 'web@1.0.0', environment: 'test', tags: { page: 'checkout' }, user: { id: 'buyer-1', ip_address: null } })
    expect(event.request!.url).toBe(`${origin}/`)
    expect(event.request!.headers!['User-Agent']).toContain('Chrome')
    expect(event.exception!.values[0]!.mechanism).toMatchObject({ type: 'onerror', handled: false })
    expect(event.exception!.values[0]!.stacktrace!.frames.at(-1)!.function).toBe('topLevel')
    await p.close()
  })

  it('reports errors inside timers with the real stack', async () => {
    const p = await open()
    await p.evaluate(() => (window as unknown as { failInTimer(): void }).failInTimer())
    const event = await eventWith('thrown in timer')
    const exception = event.exception!.values[0]!
    expect(exception.mechanism).toMatchObject({ type: 'instrument', handled: false, data: { function: 'setTimeout' } })
    expect(exception.stacktrace!.frames.at(-1)).toMatchObject({ function: 'timerCallback', filename: `${origin}/app.js`, lineno: 2, in_app: true })
    await p.close()
  })

  it('reports rejected promises', async () => {
    const p = await open()
    await p.evaluate(() => (window as unknown as { failInPromise(): void }).failInPromise())
    const event = await eventWith('rejected promise')
    expect(event.exception!.values[0]).toMatchObject({ type: 'TypeError', mechanism: { type: 'onunhandledrejection', handled: false } })
    await p.close()
  })

  it('reports errors in event listeners once, with the click as a breadcrumb and no text or input value', async () => {
    const p = await open()
    await p.click('#save')
    const event = await eventWith('thrown in listener')
    expect(event.exception!.values[0]!.mechanism).toMatchObject({ type: 'instrument', data: { function: 'addEventListener' } })
    expect(event.exception!.values[0]!.stacktrace!.frames.at(-1)!.function).toBe('HTMLButtonElement.onSaveClick')
    const click = event.breadcrumbs!.find((b) => b.category === 'ui.click')
    expect(click!.message).toBe('button#save.primary.big[type="button"]')
    expect(JSON.stringify(event)).not.toContain('Save order')
    // The whole number: a random port such as 41117 in the page URL contains its first digits.
    expect(JSON.stringify(event)).not.toContain('4111 1111 1111 1111')
    // flush resolves once every send has been answered, and the ingest records before answering.
    expect(await p.evaluate(() => (window as unknown as PageSdk).Faultline.flush(5_000))).toBe(true)
    expect(events().filter((e) => e.exception?.values.at(-1)?.value === 'thrown in listener')).toHaveLength(1)
    await p.close()
  })

  it('records fetch, XHR, navigation and console breadcrumbs without bodies or query strings', async () => {
    const p = await open()
    await p.evaluate(() => (window as unknown as { loadThenFail(): Promise<void> }).loadThenFail().catch((e: unknown) => (window as unknown as { Faultline: { captureException(e: unknown): void } }).Faultline.captureException(e)))
    const event = await eventWith('after fetch')
    const crumbs = event.breadcrumbs!
    expect(crumbs.find((b) => b.category === 'fetch')).toMatchObject({ type: 'http', data: { method: 'GET', url: '/data', status_code: 200 } })
    expect(crumbs.find((b) => b.category === 'xhr')).toMatchObject({ level: 'warning', data: { method: 'POST', url: '/missing', status_code: 404 } })
    expect(crumbs.find((b) => b.category === 'navigation')).toMatchObject({ data: { from: `${origin}/`, to: `${origin}/cart` } })
    expect(crumbs.find((b) => b.category === 'console')).toMatchObject({ level: 'warning', message: 'about to fail {"step":2}' })
    expect(JSON.stringify(crumbs)).not.toContain('secret')
    expect(JSON.stringify(crumbs)).not.toContain('/envelope/')
    await p.close()
  })

  it('delivers an error captured right before the page navigates away', async () => {
    const p = await open()
    await p.evaluate(() => {
      ;(window as unknown as { Faultline: { captureException(e: unknown): void } }).Faultline.captureException(new Error('sent while unloading'))
      location.href = '/other'
    })
    await p.waitForURL(`${origin}/other`)
    const event = await eventWith('sent while unloading')
    expect(event.exception!.values[0]!.mechanism).toMatchObject({ type: 'generic', handled: true })
    await p.close()
  })

  it('uses sendBeacon once the page is hidden', async () => {
    const p = await open()
    // Resolves with the first sendBeacon call, or with none after 10 s, which fails below.
    const beaconUrl = await p.evaluate(
      () =>
        new Promise<string | undefined>((resolve) => {
          const original = navigator.sendBeacon.bind(navigator)
          navigator.sendBeacon = (url: string | URL, data?: BodyInit | null) => (resolve(String(url)), original(url, data))
          setTimeout(() => resolve(undefined), 10_000)
          Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
          document.dispatchEvent(new Event('visibilitychange'))
          ;(window as unknown as PageSdk).Faultline.captureMessage('hidden page message')
        }),
    )
    expect(beaconUrl).toContain('/api/1/envelope/?sentry_key=publickey')
    await eventWith('hidden page message')
    await p.close()
  })
})
