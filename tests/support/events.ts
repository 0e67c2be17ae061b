/** Builds Sentry events and envelopes the way SDKs send them, for tests and benchmarks. */
import { randomUUID } from 'node:crypto'

export interface EventShape {
  type?: string
  value?: string
  message?: string
  /** In-app function names, outermost call first; becomes the stack trace. */
  stack?: string[]
  level?: string
  environment?: string
  release?: string
  user?: string
  tags?: Record<string, string>
  timestamp?: number
  fingerprint?: string[]
  /** Default: a random one. */
  eventId?: string
}

export function sentryEvent(shape: EventShape = {}): Record<string, unknown> {
  const eventId = shape.eventId ?? randomUUID().replaceAll('-', '')
  const event: Record<string, unknown> = {
    event_id: eventId,
    timestamp: (shape.timestamp ?? Date.now()) / 1000,
    platform: 'node',
    level: shape.level ?? 'error',
    environment: shape.environment ?? 'production',
    release: shape.release,
    sdk: { name: 'sentry.javascript.node', version: '10.78.0' },
    tags: shape.tags ?? {},
    user: shape.user ? { id: shape.user } : undefined,
    fingerprint: shape.fingerprint,
  }
  if (shape.message && !shape.type) {
    event.message = shape.message
  } else {
    const frames = (shape.stack ?? ['handler']).map((fn, i) => ({
      filename: `/srv/app/src/${fn}.js`,
      module: `src:${fn}`,
      function: fn,
      lineno: 10 + i,
      colno: 5,
      in_app: true,
      context_line: `  ${fn}()`,
    }))
    event.exception = { values: [{ type: shape.type ?? 'Error', value: shape.value ?? 'failed', stacktrace: { frames }, mechanism: { type: 'generic', handled: true } }] }
  }
  return event
}

export function envelopeOf(events: Record<string, unknown>[], sentAt = new Date()): string {
  const lines: string[] = []
  for (const event of events) {
    const payload = JSON.stringify(event)
    lines.push(JSON.stringify({ event_id: event.event_id, sent_at: sentAt.toISOString() }), JSON.stringify({ type: 'event', length: Buffer.byteLength(payload) }), payload)
  }
  return lines.join('\n') + '\n'
}

/** Posts events to ingest, one envelope each; returns the statuses. */
export async function sendEvents(baseUrl: string, projectId: string, publicKey: string, events: Record<string, unknown>[]): Promise<number[]> {
  const statuses: number[] = []
  for (const event of events) {
    const response = await fetch(`${baseUrl}/api/${projectId}/envelope/?sentry_key=${publicKey}&sentry_version=7`, { method: 'POST', body: envelopeOf([event]) })
    await response.arrayBuffer()
    statuses.push(response.status)
  }
  return statuses
}
