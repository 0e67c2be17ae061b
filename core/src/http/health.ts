/** Liveness and readiness (every port answers), and Prometheus metrics, mounted by every role. */
import { Hono, type Context } from 'hono'
import type { Platform } from '../platform'
import { problemResponse } from './problem'

export function healthRoutes(platform: Pick<Platform, 'readiness'>): Hono {
  const app = new Hono()
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    const failures = await platform.readiness()
    if (Object.keys(failures).length > 0) return problemResponse(c, 503, 'Some ports are not ready', { failures })
    return c.json({ status: 'ready' })
  })
  return app
}

/**
 * `/metrics`. With `access`, requests it refuses get 401 (the main port: instance administrators
 * only); without, anyone reads it (a separate listen address on a private interface).
 */
export function metricsRoutes(platform: Pick<Platform, 'metrics'>, access?: (c: Context) => Promise<boolean>): Hono {
  const app = new Hono()
  app.get('/metrics', async (c) => {
    if (access && !(await access(c))) {
      return problemResponse(c, 401, "Metrics need an instance administrator's token with instance:read, or set METRICS_LISTEN", {}, { 'www-authenticate': 'Bearer' })
    }
    return c.body(await platform.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4' })
  })
  return app
}
