/** Issue lifecycle events across the tiers: ingest → processor announces, API status changes announce. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeIssueEvent, type IssueEvent } from '@faultline/core/schema'
import { sendEvents, sentryEvent } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'

let f: TestFaultline

beforeAll(async () => {
  f = await startFaultline()
  // The group exists before anything is published, so it sees every lifecycle event.
  await f.server.platform.bus.fetch('issue-events', 'lifecycle-test', { max: 1, expiresMs: 0 })
}, 60_000)

afterAll(() => f?.stop())

/** Waits for the next `count` lifecycle events of the test's group; fails loudly at the deadline. */
async function nextEvents(count: number, timeoutMs = 15_000): Promise<IssueEvent[]> {
  const out: IssueEvent[] = []
  const deadline = Date.now() + timeoutMs
  while (out.length < count) {
    if (Date.now() > deadline) throw new Error(`got ${out.length} of ${count} lifecycle events: ${JSON.stringify(out.map((e) => e.type))}`)
    for (const m of await f.server.platform.bus.fetch('issue-events', 'lifecycle-test', { max: count - out.length, expiresMs: 200 })) {
      const decoded = decodeIssueEvent(m.data)
      if (!decoded.ok) throw new Error(decoded.reason)
      out.push(decoded.message)
      await m.ack()
    }
  }
  return out
}

describe('issue lifecycle events', () => {
  it('announces a new issue from ingest, then resolve and reopen from the API', async () => {
    expect(await sendEvents(f.url, f.projectId, f.publicKey, [sentryEvent({ type: 'CheckoutError', value: 'card declined', environment: 'production', release: 'shop@2' })])).toEqual([200])
    const [created] = await nextEvents(1)
    expect(created).toMatchObject({ type: 'created', projectId: f.projectId, issue: { type: 'CheckoutError', value: 'card declined' }, trigger: { release: 'shop@2' } })

    const path = `/projects/${f.projectId}/issues`
    expect((await f.api('PUT', path, { ids: [created!.issueId], status: 'resolved' })).status).toBe(200)
    expect((await f.api('PUT', path, { ids: [created!.issueId], status: 'unresolved' })).status).toBe(200)
    // Setting the status it already has is no change and announces nothing.
    expect((await f.api('PUT', path, { ids: [created!.issueId], status: 'unresolved' })).status).toBe(200)
    const events = await nextEvents(2)
    expect(events.map((e) => [e.type, e.source, e.previousStatus, e.issue.status])).toEqual([
      ['resolved', 'api', 'unresolved', 'resolved'],
      ['status_changed', 'api', 'resolved', 'unresolved'],
    ])
    expect(await f.server.platform.bus.fetch('issue-events', 'lifecycle-test', { max: 1, expiresMs: 300 })).toEqual([])
  }, 60_000)
})
