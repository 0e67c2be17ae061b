/** The dashboard's static files beside the API: deep links, caching, compression, and what it never serves. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync } from 'node:zlib'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { problemNotFound } from '@faultline/core/http'
import { dashboardAssets } from './dashboard-assets'

let dir: string
let app: Hono

function appFor(buildDir: string): Hono {
  const root = new Hono()
  root.get('/api/v1/ping', (c) => c.json({ pong: true }))
  root.route('/', dashboardAssets({ buildDir }))
  root.notFound(problemNotFound)
  return root
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'faultline-dashboard-build-'))
  mkdirSync(join(dir, '_app/immutable/chunks'), { recursive: true })
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>')
  writeFileSync(join(dir, '_app/immutable/chunks/a1.js'), 'export const a = 1')
  writeFileSync(join(dir, '_app/immutable/chunks/a1.js.br'), brotliCompressSync('export const a = 1'))
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>')
  writeFileSync(join(dir, '..', 'secret.txt'), 'not for you')
  app = appFor(dir)
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  rmSync(join(dir, '..', 'secret.txt'), { force: true })
})

describe('dashboard assets', () => {
  it('answers any page path with index.html, uncached, so deep links survive a reload', async () => {
    for (const path of ['/', '/projects/1/issues', '/projects/1/issues/7/events/abc']) {
      const response = await app.request(path)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^text\/html/)
      expect(response.headers.get('cache-control')).toBe('no-cache')
      expect(response.headers.get('x-frame-options')).toBe('DENY')
      expect(await response.text()).toContain('<title>app</title>')
    }
  })

  it('serves hashed files as immutable, the brotli copy when accepted', async () => {
    const plain = await app.request('/_app/immutable/chunks/a1.js')
    expect(plain.headers.get('cache-control')).toContain('immutable')
    expect(plain.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect(await plain.text()).toBe('export const a = 1')
    const br = await app.request('/_app/immutable/chunks/a1.js', { headers: { 'accept-encoding': 'gzip, br' } })
    expect(br.headers.get('content-encoding')).toBe('br')
    const other = await app.request('/favicon.svg')
    expect(other.headers.get('cache-control')).toBe('public, max-age=300')
  })

  it('leaves /api paths to the API, answers a missing file 404, and never leaves the build', async () => {
    expect(await (await app.request('/api/v1/ping')).json()).toEqual({ pong: true })
    expect((await app.request('/api/v1/nothing')).status).toBe(404)
    // The server's own paths are not pages: /metrics moved to METRICS_LISTEN stays a 404 here.
    for (const path of ['/metrics', '/healthz', '/readyz']) expect((await app.request(path)).status, path).toBe(404)
    expect((await app.request('/_app/immutable/chunks/gone.js')).status).toBe(404)
    const escape = await app.request('/..%2fsecret.txt')
    expect(escape.status).toBe(400)
    expect(await escape.text()).not.toContain('not for you')
    // URL parsing already resolves dot segments: this one asks for /secret.txt inside the build.
    const dots = await app.request('/%2e%2e/secret.txt')
    expect(dots.status).toBe(404)
    expect(await dots.text()).not.toContain('not for you')
  })

  it('says how to build it when the build is missing', async () => {
    const response = await appFor(join(dir, 'nowhere')).request('/projects/1/issues')
    expect(response.status).toBe(503)
    expect((await response.json()).detail).toMatch(/npm run build -w @faultline\/dashboard/)
  })
})
