/** Liveness, readiness (every port answers) and Prometheus metrics, mounted by every role. */
import { Hono } from 'hono'
import type { Platform } from '../platform'
import { problemResponse } from './problem'

export function healthRoutes(platform: Pick<Platform, 'readiness' | 'metrics'>): Hono {
  const app = new Hono()
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    const failures = await platform.readiness()
    if (Object.keys(failures).length > 0) return problemResponse(c, 503, 'Some ports are not ready', { failures })
    return c.json({ status: 'ready' })
  })
  app.get('/metrics', async (c) => c.body(await platform.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }))
  return app
}
