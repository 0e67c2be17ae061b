/**
 * Serves the dashboard's static build (`dashboard/build`) beside the API, so one port serves both:
 * files under `/_app/immutable/` with a year-long immutable cache (their names carry a content
 * hash), other files briefly cached, and `index.html` for any other page path so deep links
 * survive a reload (the app routes in the browser). Precompressed `.br`/`.gz` files are sent to
 * clients that accept them. The server's own paths (the API, health, readiness, metrics) are never
 * answered here: with METRICS_LISTEN set, `/metrics` on the main port must stay a 404, not a page.
 */
import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import type { Context, MiddlewareHandler } from 'hono'
import { Hono } from 'hono'
import { problemResponse } from '@faultline/core/http'

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
}

/** Sent with every page and file: no framing by other sites, no MIME sniffing, no referrer leaks. */
const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
}

/** Paths the server answers itself, or refuses: never pages of the app. */
const serverPaths = ['/api', '/healthz', '/readyz', '/metrics']
const isServerPath = (path: string) => serverPaths.some((p) => path === p || path.startsWith(`${p}/`))

export interface DashboardAssetsOptions {
  buildDir: string
}

interface Found {
  path: string
  encoding?: 'br' | 'gzip'
}

export function dashboardAssets({ buildDir }: DashboardAssetsOptions): Hono {
  const app = new Hono()
  const root = normalize(buildDir + sep)
  // Middleware, not a route: the router's route listing (permissions, OpenAPI) covers /api/v1 only.
  app.use('*', serveAssets(root))
  return app
}

function serveAssets(root: string): MiddlewareHandler {
  return async function serveDashboard(c, next) {
    const path = c.req.path
    if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || isServerPath(path)) return next()
    let relative: string
    try {
      relative = decodeURIComponent(path)
    } catch {
      return problemResponse(c, 400, 'The path is not valid percent-encoding')
    }
    const file = normalize(join(root, relative))
    if (!file.startsWith(root)) return problemResponse(c, 400, 'The path leaves the dashboard')
    const accepts = c.req.header('accept-encoding') ?? ''
    const asset = extname(file) !== '' ? await findFile(file, accepts) : undefined
    if (asset) {
      const immutable = relative.startsWith('/_app/immutable/')
      return send(c, asset, types[extname(file)] ?? 'application/octet-stream', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300')
    }
    // A file name that is not there is a 404; any other path is a page of the app.
    if (extname(file) !== '') return next()
    const index = await findFile(join(root, 'index.html'), accepts)
    if (!index) {
      return problemResponse(c, 503, "The dashboard is not built: run 'npm run build -w @faultline/dashboard' (npm install and npm start build it too)")
    }
    return send(c, index, types['.html']!, 'no-cache')
  }
}

async function findFile(file: string, acceptEncoding: string): Promise<Found | undefined> {
  if (!(await isFile(file))) return undefined
  if (/\bbr\b/.test(acceptEncoding) && (await isFile(`${file}.br`))) return { path: `${file}.br`, encoding: 'br' }
  if (/\bgzip\b/.test(acceptEncoding) && (await isFile(`${file}.gz`))) return { path: `${file}.gz`, encoding: 'gzip' }
  return { path: file }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

async function send(c: Context, found: Found, type: string, cacheControl: string): Promise<Response> {
  const headers: Record<string, string> = { ...securityHeaders, 'content-type': type, 'cache-control': cacheControl, vary: 'accept-encoding' }
  if (found.encoding) headers['content-encoding'] = found.encoding
  if (c.req.method === 'HEAD') return c.body(null, 200, headers)
  return c.body(new Uint8Array(await readFile(found.path)), 200, headers)
}
