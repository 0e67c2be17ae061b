/** The ceiling: a bare hono server whose handler only reads the request body and answers like ingest. */
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const app = new Hono()
app.post('/api/:projectId/envelope/', async (c) => {
  const body = await c.req.arrayBuffer()
  return c.json({ id: String(body.byteLength) })
})
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 0) }, (info) => {
  process.stdout.write(JSON.stringify({ port: info.port }) + '\n')
})
