/**
 * The platform conformance corpus end to end: every SDK shape sent to ingest (raven-era legacy
 * shapes to the store endpoint, as those clients did; the rest in envelopes), processed, stored
 * in ClickHouse and read back from the API with its title, culprit, grouping and every frame;
 * each shape sent again as after a redeploy lands in the same issue.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { framesPerStack, loadCorpus, redeployed, type CorpusEntry } from '../processor/src/normalize/fixtures/platforms/corpus'
import { sendEvents } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'

interface Sent {
  entry: CorpusEntry
  eventId: string
  redeployId: string
}

const corpus = loadCorpus()
let f: TestFaultline
const sent: Sent[] = []

async function store(event: Record<string, unknown>): Promise<number> {
  const response = await fetch(`${f.url}/api/${f.projectId}/store/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sentry-auth': `Sentry sentry_version=4, sentry_client=raven-legacy/1.0, sentry_key=${f.publicKey}` },
    body: JSON.stringify(event),
  })
  await response.arrayBuffer()
  return response.status
}

async function send(entry: CorpusEntry, event: Record<string, unknown>): Promise<void> {
  const status = entry.name.includes('legacy') ? await store(event) : (await sendEvents(f.url, f.projectId, f.publicKey, [event]))[0]
  expect(status, entry.name).toBe(200)
}

async function storedEvent(eventId: string): Promise<any> {
  return f.waitFor(async () => {
    const { status, body } = await f.api('GET', `/projects/${f.projectId}/events/${eventId}`)
    return status === 200 ? body : undefined
  }, 60_000)
}

beforeAll(async () => {
  f = await startFaultline()
  const now = Date.now() / 1000
  for (const entry of corpus) {
    const eventId = randomUUID().replaceAll('-', '')
    const redeployId = randomUUID().replaceAll('-', '')
    await send(entry, { ...entry.event, event_id: eventId, timestamp: now })
    await send(entry, { ...redeployed(entry.event, redeployId), timestamp: now })
    sent.push({ entry, eventId, redeployId })
  }
}, 120_000)

afterAll(() => f?.stop())

describe.each(corpus.map((entry) => entry.name))('%s through ingest, processor, ClickHouse and the API', (name) => {
  it('is stored with its title, culprit, grouping and every frame, and a redeploy joins its issue', async () => {
    const { entry, eventId, redeployId } = sent.find((s) => s.entry.name === name) as Sent
    const event = await storedEvent(eventId)
    expect(event.title).toBe(entry.expect.title)
    expect(event.payload.culprit ?? null).toBe(entry.expect.culprit)
    expect(event.groupingStrategy).toBe(entry.expect.strategy)
    expect(framesPerStack(event.payload)).toEqual(entry.expect.frames)
    const again = await storedEvent(redeployId)
    expect(again.issueId).toBe(event.issueId)
    // The issue's counts are refreshed just after the insert: wait for the second event in them.
    const issue = await f.waitFor(async () => {
      const { body } = await f.api('GET', `/projects/${f.projectId}/issues/${event.issueId}`)
      return body.count === 2 ? body : undefined
    })
    expect(issue.title).toBe(entry.expect.title)
  })
})

it('puts every shape in an issue of its own', async () => {
  const issues = await Promise.all(sent.map(async ({ eventId }) => (await storedEvent(eventId)).issueId))
  expect(new Set(issues).size).toBe(corpus.length)
})
