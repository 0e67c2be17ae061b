/**
 * Dead letters through the API of a running Faultline, on the embedded bus and on NATS JetStream:
 * messages that cannot be processed land on the dead-letter queue with their error, can be listed,
 * replayed and discarded; a replay after a transient failure (the event store refusing inserts for
 * a while) stores the event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNatsServer } from '@faultline/core/testing'
import { sendEvents, sentryEvent } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'

interface DeadLetterView {
  seq: number
  subject: string
  id: string
  error: string
  deliveryCount: number
  failedAt: string
  size: number
  payload: string
}

const encoder = new TextEncoder()

describe.each([
  { bus: 'embedded SQLite queue', nats: false },
  { bus: 'NATS JetStream', nats: true },
])('dead letters on the $bus', ({ nats }) => {
  let f: TestFaultline
  let stopNats: (() => Promise<void>) | undefined

  beforeAll(async () => {
    const env: Record<string, string> = {}
    if (nats) {
      const server = await startNatsServer()
      stopNats = () => server.stop()
      env.NATS_URL = server.url
    }
    // Two deliveries, so a message failing for a transient reason reaches the dead letters quickly.
    f = await startFaultline({ ...env, PROCESSOR_MAX_DELIVER: '2' })
  }, 60_000)

  afterAll(async () => {
    await f?.stop()
    await stopNats?.()
  })

  async function deadLetters(): Promise<DeadLetterView[]> {
    const { status, body } = await f.adminApi<{ data: DeadLetterView[] }>('GET', '/dead-letters/errors?limit=500')
    expect(status).toBe(200)
    return body.data
  }

  /** Waits for the dead letter with message id `id` (and a seq other than `not`). */
  function deadLetterOf(id: string, not?: number): Promise<DeadLetterView> {
    return f.waitFor(async () => (await deadLetters()).find((l) => l.id === id && l.seq !== not))
  }

  function publish(id: string, message: unknown): Promise<void> {
    const data = typeof message === 'string' ? encoder.encode(message) : encoder.encode(JSON.stringify(message))
    return f.server.platform.bus.publish('errors', [{ id, data }])
  }

  describe('the API', () => {
    it('lists an undecodable message with its error, and discards it', async () => {
      await publish('junk-1', 'this is not JSON {')
      const letter = await deadLetterOf('junk-1')
      expect(letter.subject).toBe('errors')
      expect(letter.error).toMatch(/undecodable message: not UTF-8 JSON/)
      expect(letter.deliveryCount).toBe(1)
      expect(letter.payload).toBe('this is not JSON {')
      expect(Date.parse(letter.failedAt)).toBeGreaterThan(Date.now() - 60_000)

      expect((await f.adminApi('DELETE', `/dead-letters/errors/${letter.seq}`)).status).toBe(204)
      expect((await deadLetters()).some((l) => l.seq === letter.seq)).toBe(false)
      const again = await f.adminApi('DELETE', `/dead-letters/errors/${letter.seq}`)
      expect(again.status).toBe(404)
      expect(again.body.detail).toMatch(/No dead letter/)
    })

    it('replays a dead letter onto the bus: a message that still fails comes back with its delivery count reset', async () => {
      const message = { v: 99, projectId: f.projectId, eventId: 'a'.repeat(32), receivedAt: Date.now(), event: {} }
      await publish('future-version', message)
      const first = await deadLetterOf('future-version')
      expect(first.error).toMatch(/unsupported schema version 99/)

      const replay = await f.adminApi('POST', `/dead-letters/errors/${first.seq}/replay`)
      expect(replay.status).toBe(200)
      expect(replay.body).toEqual({ replayed: first.seq })
      const second = await deadLetterOf('future-version', first.seq)
      expect(second.seq).toBeGreaterThan(first.seq)
      expect(second.deliveryCount).toBe(1)
      expect(second.error).toBe(first.error)
      expect(JSON.parse(second.payload)).toEqual(message)
      expect((await deadLetters()).some((l) => l.seq === first.seq)).toBe(false)
      expect((await f.adminApi('DELETE', `/dead-letters/errors/${second.seq}`)).status).toBe(204)
    })

    it('stores an event whose insert kept failing once it is replayed after the store recovered', async () => {
      const { client, database } = f.server.platform.eventStore
      // A transient outage of the event store, for this test's events only.
      await client.command({ query: `ALTER TABLE ${database}.error_events ADD CONSTRAINT dlq_outage CHECK environment != 'dlq-outage'` })
      let constraintDropped = false
      try {
        const event = sentryEvent({ type: 'OutageError', value: 'written during an outage', environment: 'dlq-outage' })
        const eventId = event.event_id as string
        expect(await sendEvents(f.url, f.projectId, f.publicKey, [event])).toEqual([200])
        const letter = await deadLetterOf(`${f.projectId}:${eventId}`)
        expect(letter.error).toMatch(/dlq_outage/)
        expect(letter.deliveryCount).toBe(2)
        expect((await f.api('GET', `/projects/${f.projectId}/events/${eventId}`)).status).toBe(404)

        await client.command({ query: `ALTER TABLE ${database}.error_events DROP CONSTRAINT dlq_outage` })
        constraintDropped = true
        expect((await f.adminApi('POST', `/dead-letters/errors/${letter.seq}/replay`)).status).toBe(200)
        const stored = await f.waitFor(async () => {
          const { status, body } = await f.api('GET', `/projects/${f.projectId}/events/${eventId}`)
          return status === 200 ? body : undefined
        })
        expect(stored.payload.exceptions[0].value).toBe('written during an outage')
        expect((await deadLetters()).some((l) => l.id === letter.id)).toBe(false)

        // The failed attempts must not have counted the event: its issue has exactly one. The count
        // is refreshed from the rollups right after the insert, which came after every failed
        // attempt, so the first count seen already includes anything those attempts left.
        const countOf = async () => (await f.api('GET', `/projects/${f.projectId}/issues/${stored.issueId}`)).body.count as number
        const count = await f.waitFor(async () => {
          const seen = await countOf()
          return seen >= 1 ? seen : undefined
        })
        expect(count).toBe(1)
      } finally {
        if (!constraintDropped) await client.command({ query: `ALTER TABLE ${database}.error_events DROP CONSTRAINT IF EXISTS dlq_outage` })
      }
    })

    it('answers 404 for an unknown seq and 400 for a bad subject or seq', async () => {
      const replay = await f.adminApi('POST', '/dead-letters/errors/987654/replay')
      expect(replay.status).toBe(404)
      expect(replay.body.detail).toMatch(/No dead letter 987654/)
      expect((await f.adminApi('DELETE', '/dead-letters/errors/987654')).status).toBe(404)
      for (const path of ['/dead-letters/nope', '/dead-letters/nope/1/replay', '/dead-letters/errors/abc/replay', '/dead-letters/errors/-1/replay', '/dead-letters/errors?limit=100000']) {
        const method = path.endsWith('replay') ? 'POST' : 'GET'
        const answer = await f.adminApi(method, path)
        expect(answer.status, `${method} ${path}`).toBe(400)
        expect(answer.body.detail, `${method} ${path}`).toBeTruthy()
      }
    })
  })
})
