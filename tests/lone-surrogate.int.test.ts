/**
 * A lone UTF-16 surrogate (`"\ud800"`) is valid JSON and a valid JS string; ingest accepts it.
 * ClickHouse refuses such an escape by default, and with it a whole insert: an accepted error
 * event must still be stored, and the other events of its batch with it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { sendEvents, sentryEvent } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'

let f: TestFaultline

beforeAll(async () => {
  f = await startFaultline()
}, 60_000)

afterAll(async () => {
  await f?.stop()
})

it('stores an accepted error event whose texts hold a lone surrogate', async () => {
  const statuses = await sendEvents(f.url, f.projectId, f.publicKey, [
    sentryEvent({ type: 'SurrogateError', value: 'broken \ud800 text', tags: { note: 'half \udc00 pair' } }),
    sentryEvent({ type: 'PlainError', value: 'fine' }),
  ])
  expect(statuses).toEqual([200, 200])
  await f.waitFor(async () => (await f.api('GET', `/projects/${f.projectId}/issues?limit=10`)).body.data.length === 2)
  const titles = (await f.api('GET', `/projects/${f.projectId}/issues?limit=10`)).body.data.map((issue: { title: string }) => issue.title).sort()
  expect(titles).toEqual(['PlainError: fine', expect.stringMatching(/^SurrogateError: broken /)])
  // The issue is metadata; the event itself is the ClickHouse row the insert refused.
  await f.waitFor(async () => {
    const issues = (await f.api('GET', `/projects/${f.projectId}/issues?limit=10`)).body.data as Array<{ id: string }>
    const events = await Promise.all(issues.map(async (issue) => (await f.api('GET', `/projects/${f.projectId}/issues/${issue.id}/events`)).body.data.length))
    return events.every((count) => count === 1)
  })
})
