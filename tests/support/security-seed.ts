/**
 * Seeds a running Faultline with security events (NDJSON through the project's key) and one error
 * (an envelope), then waits until the timeline holds every event and the error has its issue: the
 * setup the security timeline and event-detail suites share.
 */
import { expect } from 'vitest'
import type { TestFaultline } from './faultline'

export async function seedSecurityEventsAndError(fl: TestFaultline, events: Record<string, unknown>[], error: Record<string, unknown>, range: string): Promise<void> {
  const body = events.map((e) => JSON.stringify(e)).join('\n')
  const sent = await fetch(`${fl.url}/api/${fl.projectId}/security/events/?sentry_key=${fl.publicKey}`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body })
  expect(sent.status).toBe(200)
  const envelope = [JSON.stringify({ event_id: error.event_id, dsn: fl.dsn }), JSON.stringify({ type: 'event' }), JSON.stringify(error)].join('\n')
  expect((await fetch(`${fl.url}/api/${fl.projectId}/envelope/`, { method: 'POST', body: envelope })).status).toBe(200)
  await fl.waitFor(async () => (await fl.api('GET', `/projects/${fl.projectId}/security/events?${range}&limit=500`)).body.data?.length === events.length)
  await fl.waitFor(async () => (await fl.api('GET', `/projects/${fl.projectId}/issues`)).body.data?.length === 1)
}
