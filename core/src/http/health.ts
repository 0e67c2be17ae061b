/**
 * Liveness and readiness, and Prometheus metrics, mounted by every role. Readiness is every port
 * answering, plus whatever the roles in this process add: ingest is not ready while it would
 * refuse events (its bus backlog is full), so a load balancer can route around it.
 */
import { Hono, type Context } from 'hono'
import type { Platform } from '../platform'
import { problemResponse } from './problem'

/** A role's own readiness: undefined when ready, else why not. */
export type ReadinessCheck = () => Promise<string | undefined>

export function healthRoutes(platform: Pick<Platform, 'readiness'>, checks: Record<string, ReadinessCheck> = {}): Hono {
  const app = new Hono()
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    const failures = await platform.readiness()
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        const reason = await check()
        if (reason !== undefined) failures[name] = reason
      }),
    )
    if (Object.keys(failures).length > 0) return problemResponse(c, 503, 'Not ready to accept work', { failures })
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
