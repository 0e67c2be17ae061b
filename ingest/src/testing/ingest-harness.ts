/**
 * The ingest tier in process for tests: a real platform on a temporary data directory (SQLite bus
 * and metadata, memory cache, no event store), the tier's app behind the problem+json handlers,
 * and helpers to build envelopes, post them and read what reached the bus.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { loadConfig } from '@faultline/core/config'
import { healthRoutes, problemErrorHandler, problemNotFound } from '@faultline/core/http'
import { createLogger } from '@faultline/core/log'
import { openPlatform, type Platform } from '@faultline/core/platform'
import { ConsumerGroups } from '@faultline/core/ports'
import { decodeErrorMessage } from '@faultline/core/schema'
import { defaultOrganization } from '@faultline/core/accounts'
import { createProject, type ProjectDoc, type ProjectKeyDoc } from '@faultline/core/projects'
import { createIngestTier, type IngestTier } from '../app'

export interface IngestHarness {
  platform: Platform
  tier: IngestTier
  /** The tier with /healthz and /readyz, as the server mounts them. */
  app: Hono
  /** A project in the default organization, with its DSN key. */
  createProject(name: string): Promise<{ project: ProjectDoc; key: ProjectKeyDoc }>
  post(path: string, body: BodyInit, headers?: Record<string, string>): Promise<Response>
  /** Acks and decodes everything on the `errors` subject, as the processor's group (so the backlog drains). */
  drainBus(): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

export async function openIngestHarness(env: Record<string, string> = {}): Promise<IngestHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fl-ingest-'))
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env })
  const platform = await openPlatform(config, { logger: createLogger('silent'), withEventStore: false })
  const tier = await createIngestTier(platform)
  const app = new Hono()
  app.onError(problemErrorHandler(platform.logger))
  app.notFound(problemNotFound)
  app.route('/', healthRoutes(platform, { ingest: tier.readiness }))
  app.route('/', tier.app)
  return {
    platform,
    tier,
    app,
    createProject: async (name) => createProject(platform.projects, (await defaultOrganization(platform.accounts))._id, name),
    // duplex: a stream body (one that never ends, say) needs it, and it changes nothing for others.
    post: (path, body, headers = {}) => Promise.resolve(app.request(path, { method: 'POST', body, headers, duplex: 'half' } as RequestInit)),
    async drainBus() {
      const messages = await platform.bus.fetch('errors', ConsumerGroups.processor, { max: 1000, expiresMs: 50 })
      await Promise.all(messages.map((m) => m.ack()))
      return messages.map((m) => {
        const decoded = decodeErrorMessage(m.data)
        if (!decoded.ok) throw new Error(decoded.reason)
        return decoded.message.event
      })
    },
    async close() {
      await tier.close()
      await platform.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** A Sentry envelope of `items` (with `length` headers unless `withLength` is false). */
export function envelope(items: { type: string; payload: unknown; withLength?: boolean }[], headers: Record<string, unknown> = {}): string {
  const lines = [JSON.stringify(headers)]
  for (const item of items) {
    const payload = typeof item.payload === 'string' ? item.payload : JSON.stringify(item.payload)
    const itemHeader = item.withLength === false ? { type: item.type } : { type: item.type, length: Buffer.byteLength(payload) }
    lines.push(JSON.stringify(itemHeader), payload)
  }
  return lines.join('\n') + '\n'
}

export const errorEvent = (extra: Record<string, unknown> = {}) => ({
  event_id: crypto.randomUUID().replaceAll('-', ''),
  level: 'error',
  platform: 'node',
  exception: { values: [{ type: 'Error', value: 'boom' }] },
  ...extra,
})
