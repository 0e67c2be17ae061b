/**
 * Liveness, readiness and Prometheus metrics, mounted by every role. Readiness is every port
 * answering, plus whatever the roles in this process add: ingest is not ready while it would
 * refuse events (its bus backlog is full), so a load balancer can route around it.
 */
import { Hono } from 'hono'
import type { Platform } from '../platform'
import { problemResponse } from './problem'

/** A role's own readiness: undefined when ready, else why not. */
export type ReadinessCheck = () => Promise<string | undefined>

export function healthRoutes(platform: Pick<Platform, 'readiness' | 'metrics'>, checks: Record<string, ReadinessCheck> = {}): Hono {
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
  app.get('/metrics', async (c) => c.body(await platform.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }))
  return app
}
