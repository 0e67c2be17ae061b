/**
 * The contract every Bus adapter keeps, run against each of them (sqlite-bus.test.ts,
 * jetstream-bus.int.test.ts).
 *
 * Most tests use one consumer group, `workers`, with competing fetchers in it; the fan-out tests
 * (`bus-fanout.contract.ts`) run several independent groups on one subject.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { BusError } from '../../errors'
import type { Bus, BusMessage, BusOptions, OutgoingMessage, Subject } from '../../ports/bus'
import { describeFanOutContract } from './bus-fanout.contract'
import type { BusUnderTest } from './bus-under-test'

/** Options the factories must open their bus with: the timing assertions depend on them. */
export const contractBusOptions: BusOptions = {
  // Long enough that a loaded 2-core machine does not let a lease lapse between a fetch and its ack
  // (300 ms could), short enough for the redelivery tests to wait out.
  ackWaitMs: 1_000,
  dedupeWindowMs: 60_000,
  // The suite's own group exists from the start on the subjects it publishes to before fetching.
  groups: { errors: ['workers'], spans: ['workers'], replays: ['workers'], security: ['workers'] },
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const message = (id: string, headers?: Record<string, string>): OutgoingMessage => ({
  id,
  data: encoder.encode(`payload of ${id}`),
  ...(headers ? { headers } : {}),
})
const text = (m: { data: Uint8Array }) => decoder.decode(m.data)

/**
 * Fetch until `count` messages arrived (acking none), or give up after `timeoutMs` (the caller's
 * assertion on what arrived then fails). Generous: it returns as soon as they are there.
 */
async function fetchAtLeast(bus: Bus, subject: Subject, count: number, timeoutMs = 15_000): Promise<BusMessage[]> {
  const got: BusMessage[] = []
  const deadline = Date.now() + timeoutMs
  while (got.length < count && Date.now() < deadline) {
    got.push(...(await bus.fetch(subject, 'workers', { max: Math.min(256, count - got.length), expiresMs: 200 })))
  }
  return got
}

/**
 * `promise`, or a failure naming `what` after `timeoutMs`: for waits whose expiry is set far
 * beyond the deadline, so only the awaited event (a publish, a close) can end them in time.
 */
async function settlesWithin<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs} ms`)), timeoutMs)))
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}

export function describeBusContract(name: string, makeBus: () => Promise<BusUnderTest>): void {
  describe(`Bus contract: ${name}`, () => {
    let fixture: BusUnderTest | undefined
    const open = async () => {
      fixture = await makeBus()
      return fixture
    }
    afterEach(async () => {
      await fixture?.cleanup()
      fixture = undefined
    })

    it('delivers a published message with its id, data and headers, and removes it on ack', async () => {
      const { bus } = await open()
      const before = Date.now()
      await bus.publish('errors', [message('m-1', { 'content-type': 'application/json', schema: '2' })])
      const after = Date.now()
      const [got, ...rest] = await bus.fetch('errors', 'workers', { max: 10, expiresMs: 1_000 })
      expect(rest).toHaveLength(0)
      expect(got).toMatchObject({ id: 'm-1', subject: 'errors', group: 'workers', deliveryCount: 1 })
      // JetStream stamps with the server's clock, here the same machine's.
      expect(got!.publishedAt).toBeGreaterThanOrEqual(before - 1)
      expect(got!.publishedAt).toBeLessThanOrEqual(after + 1)
      expect(text(got!)).toBe('payload of m-1')
      expect(got!.headers).toEqual({ 'content-type': 'application/json', schema: '2' })
      await got!.ack()
      expect(await bus.backlog('errors')).toBe(0)
      expect(await bus.fetch('errors', 'workers', { max: 10, expiresMs: 100 })).toEqual([])
    })

    it('returns an empty batch after expiresMs when nothing is published', async () => {
      const { bus } = await open()
      const started = Date.now()
      expect(await bus.fetch('spans', 'workers', { max: 5, expiresMs: 250 })).toEqual([])
      expect(Date.now() - started).toBeGreaterThanOrEqual(200)
    })

    it('wakes a waiting fetch as soon as a message is published', async () => {
      const { bus } = await open()
      // Expiring only after two minutes, the fetch can end in time only by being woken.
      const pending = bus.fetch('errors', 'workers', { max: 5, expiresMs: 120_000 })
      // Gives the fetch a moment to start waiting; published earlier, the message is simply taken.
      await new Promise((r) => setTimeout(r, 50))
      await bus.publish('errors', [message('late')])
      const got = await settlesWithin(pending, 20_000, 'the waiting fetch was not woken by the publish')
      expect(got.map((m) => m.id)).toEqual(['late'])
    })

    it('keeps publish order within a subject and separates subjects', async () => {
      const { bus } = await open()
      const ids = Array.from({ length: 20 }, (_, i) => `ord-${i}`)
      await bus.publish('errors', ids.map((id) => message(id)))
      await bus.publish('spans', [message('span-1')])
      const got = await fetchAtLeast(bus, 'errors', 20)
      expect(got.map((m) => m.id)).toEqual(ids)
      const spans = await bus.fetch('spans', 'workers', { max: 10, expiresMs: 1_000 })
      expect(spans.map((m) => m.id)).toEqual(['span-1'])
    })

    it('stores a repeated id once within the dedupe window', async () => {
      const { bus } = await open()
      await bus.publish('errors', [message('a'), message('b'), message('b')])
      await bus.publish('errors', [message('a'), message('c')])
      expect(await bus.backlog('errors')).toBe(3)
      const got = await fetchAtLeast(bus, 'errors', 3)
      expect(got.map((m) => m.id)).toEqual(['a', 'b', 'c'])
      // Dedupe is per id, not per content: after an ack the id is still remembered.
      await Promise.all(got.map((m) => m.ack()))
      await bus.publish('errors', [message('a')])
      expect(await bus.backlog('errors')).toBe(0)
    })

    it('redelivers an unacked message after the ack wait, with deliveryCount 2', async () => {
      const { bus } = await open()
      await bus.publish('errors', [message('slow')])
      const leasedBefore = Date.now()
      const [first] = await bus.fetch('errors', 'workers', { max: 1, expiresMs: 1_000 })
      expect(first?.deliveryCount).toBe(1)
      // Not before the ack wait: a lower bound, which a busy machine can only make easier to meet.
      const again = await fetchAtLeast(bus, 'errors', 1)
      expect(Date.now() - leasedBefore).toBeGreaterThanOrEqual(contractBusOptions.ackWaitMs - 50)
      expect(again.map((m) => [m.id, m.deliveryCount])).toEqual([['slow', 2]])
      await again[0]!.ack()
      expect(await bus.backlog('errors')).toBe(0)
    })

    it('never returns one message twice in a fetch, however long the others waited past the ack wait', async () => {
      const { bus } = await open()
      const ids = Array.from({ length: 20 }, (_, i) => `w-${i}`)
      await bus.publish('errors', ids.map((id) => message(id)))
      const [held] = await bus.fetch('errors', 'workers', { max: 1, expiresMs: 1_000 })
      // A consumer busy with a batch for several ack waits: the slowness is the case under test.
      // JetStream's pull buffer received every message meanwhile and renews their leases; a renewal the
      // loaded machine makes late lets a message lapse and arrive again, into the same buffer.
      await new Promise((r) => setTimeout(r, contractBusOptions.ackWaitMs * 3))
      await held!.ack()
      const batch = await bus.fetch('errors', 'workers', { max: 1_000, expiresMs: 1_000 })
      const batchIds = batch.map((m) => m.id)
      expect(batchIds.length).toBeGreaterThan(0)
      expect(batchIds.filter((id, i) => batchIds.indexOf(id) !== i)).toEqual([])
    })

    it('delivers each message once to a slow consumer, however long it waited for its fetch', async () => {
      const { bus } = await open()
      const ids = Array.from({ length: 6 }, (_, i) => `queued-${i}`)
      await bus.publish('errors', ids.map((id) => message(id)))
      // One message at a time, each worked on for half an ack wait: the last ones wait about three
      // ack waits before a fetch takes them (JetStream's pull buffer holds them all meanwhile).
      const seen: [string, number][] = []
      const deadline = Date.now() + 30_000
      while (seen.length < ids.length && Date.now() < deadline) {
        const [got] = await bus.fetch('errors', 'workers', { max: 1, expiresMs: 1_000 })
        if (!got) continue
        seen.push([got.id, got.deliveryCount])
        await new Promise((r) => setTimeout(r, contractBusOptions.ackWaitMs / 2))
        await got.ack()
      }
      expect(seen).toEqual(ids.map((id) => [id, 1]))
      expect(await bus.backlog('errors')).toBe(0)
    })

    it('working() keeps a message leased past the ack wait', async () => {
      const { bus } = await open()
      await bus.publish('errors', [message('long')])
      const [got] = await bus.fetch('errors', 'workers', { max: 1, expiresMs: 1_000 })
      const until = Date.now() + contractBusOptions.ackWaitMs * 3
      while (Date.now() < until) {
        const extendedAfter = Date.now()
        await got!.working()
        const stolen = await bus.fetch('errors', 'workers', { max: 1, expiresMs: 80 })
        // Only a machine too busy to call working() within an ack wait may see the lease lapse.
        if (stolen.length > 0) {
          expect(Date.now() - extendedAfter, 'redelivered though working() was called within the ack wait').toBeGreaterThan(contractBusOptions.ackWaitMs)
          await stolen[0]!.ack()
          return
        }
      }
      await got!.ack()
      expect(await bus.backlog('errors')).toBe(0)
    })

    it('nak(delay) redelivers after the delay and not before', async () => {
      const { bus } = await open()
      await bus.publish('errors', [message('retry-me')])
      const [got] = await bus.fetch('errors', 'workers', { max: 1, expiresMs: 1_000 })
      const nakedAt = Date.now()
      await got!.nak(700)
      // Not before the delay: a lower bound, which a busy machine can only make easier to meet.
      const again = await fetchAtLeast(bus, 'errors', 1)
      expect(Date.now() - nakedAt).toBeGreaterThanOrEqual(650)
      expect(again.map((m) => [m.id, m.deliveryCount])).toEqual([['retry-me', 2]])
    })

    it('never hands one message to two competing fetchers at the same time', async () => {
      const { bus } = await open()
      const total = 60
      await bus.publish('errors', Array.from({ length: total }, (_, i) => message(`c-${i}`)))
      const inFlight = new Set<string>()
      const seen: string[] = []
      const overlaps: string[] = []
      const worker = async () => {
        const stopAt = Date.now() + 60_000
        while (seen.length < total && Date.now() < stopAt) {
          const batch = await bus.fetch('errors', 'workers', { max: 4, expiresMs: 100 })
          for (const m of batch) {
            if (inFlight.has(m.id)) overlaps.push(m.id)
            inFlight.add(m.id)
          }
          await new Promise((r) => setTimeout(r, 5))
          for (const m of batch) {
            seen.push(m.id)
            inFlight.delete(m.id)
            await m.ack()
          }
        }
      }
      await Promise.all([worker(), worker(), worker(), worker()])
      expect(overlaps).toEqual([])
      expect(seen).toHaveLength(total)
      expect(new Set(seen).size).toBe(total)
    })

    it('counts published and not yet acked messages as backlog', async () => {
      const { bus } = await open()
      expect(await bus.backlog('replays')).toBe(0)
      await bus.publish('replays', ['r1', 'r2', 'r3', 'r4', 'r5'].map((id) => message(id)))
      expect(await bus.backlog('replays')).toBe(5)
      const leased = await fetchAtLeast(bus, 'replays', 2)
      expect(await bus.backlog('replays')).toBe(5)
      await Promise.all(leased.slice(0, 2).map((m) => m.ack()))
      expect(await bus.backlog('replays')).toBe(5 - 2)
      expect(await bus.backlog('errors')).toBe(0)
    })

    it('dead-letters a message with its error, then lists, replays and discards', async () => {
      const { bus } = await open()
      await bus.publish('security', [message('d1', { tenant: 'p1' }), message('d2'), message('ok')])
      const [d1, d2, ok] = await fetchAtLeast(bus, 'security', 3)
      const before = Date.now()
      await bus.deadLetter(d1!, 'TypeError: boom\n  at parse (x.ts:1)')
      await bus.deadLetter(d2!, 'second failure')
      await ok!.ack()
      expect(await bus.backlog('security')).toBe(0)

      const letters = await bus.listDeadLetters('security', { limit: 10 })
      expect(letters.map((l) => l.id)).toEqual(['d1', 'd2'])
      const [first, second] = letters
      expect(first).toMatchObject({
        subject: 'security',
        group: 'workers',
        error: 'TypeError: boom\n  at parse (x.ts:1)',
        deliveryCount: 1,
        headers: { tenant: 'p1' },
      })
      expect(text(first!)).toBe('payload of d1')
      expect(first!.failedAt).toBeGreaterThanOrEqual(before - 1_000)
      expect(second!.seq).toBeGreaterThan(first!.seq)
      expect((await bus.listDeadLetters('security', { afterSeq: first!.seq, limit: 10 })).map((l) => l.id)).toEqual(['d2'])
      expect(await bus.listDeadLetters('security', { limit: 1 })).toHaveLength(1)
      expect(await bus.listDeadLetters('errors', { limit: 10 })).toEqual([])

      expect(await bus.replayDeadLetter('errors', first!.seq)).toBe(false)
      expect(await bus.replayDeadLetter('security', first!.seq)).toBe(true)
      const [back] = await fetchAtLeast(bus, 'security', 1)
      expect(back).toMatchObject({ id: 'd1', deliveryCount: 1, headers: { tenant: 'p1' } })
      expect(text(back!)).toBe('payload of d1')
      await back!.ack()
      expect(await bus.replayDeadLetter('security', first!.seq)).toBe(false)

      expect(await bus.discardDeadLetter('errors', second!.seq)).toBe(false)
      expect(await bus.discardDeadLetter('security', second!.seq)).toBe(true)
      expect(await bus.discardDeadLetter('security', second!.seq)).toBe(false)
      expect(await bus.listDeadLetters('security', { limit: 10 })).toEqual([])
    })

    it('keeps published messages when the bus is closed and opened again', async () => {
      const fx = await open()
      await fx.bus.publish('errors', [message('durable-1'), message('durable-2')])
      const [leased] = await fx.bus.fetch('errors', 'workers', { max: 1, expiresMs: 1_000 })
      expect(leased?.id).toBe('durable-1')
      await fx.bus.close()
      const reopened = await fx.reopen()
      expect(await reopened.backlog('errors')).toBe(2)
      // The lease of the closed bus lapses and the message comes back.
      const got = await fetchAtLeast(reopened, 'errors', 2)
      expect(got.map((m) => m.id).sort()).toEqual(['durable-1', 'durable-2'])
      // Dedupe survives the restart too.
      await reopened.publish('errors', [message('durable-1')])
      expect(await reopened.backlog('errors')).toBe(2)
    })

    it('publishes 1000 messages in one call', async () => {
      const { bus } = await open()
      const ids = Array.from({ length: 1000 }, (_, i) => `bulk-${i}`)
      await bus.publish('spans', ids.map((id) => message(id)))
      expect(await bus.backlog('spans')).toBe(1000)
      const got = await fetchAtLeast(bus, 'spans', 1000)
      expect(new Set(got.map((m) => m.id)).size).toBe(1000)
      await Promise.all(got.map((m) => m.ack()))
      expect(await bus.backlog('spans')).toBe(0)
    })

    it('rejects unknown subjects with a BusError', async () => {
      const { bus } = await open()
      await expect(bus.publish('nope' as Subject, [message('x')])).rejects.toBeInstanceOf(BusError)
      await expect(bus.fetch('nope' as Subject, 'workers', { max: 1, expiresMs: 10 })).rejects.toMatchObject({
        code: 'invalid_subject',
      })
    })

    it('answers ping, closes twice safely and refuses work once closed', async () => {
      const { bus } = await open()
      await bus.ping()
      await bus.close()
      await bus.close()
      await expect(bus.publish('errors', [message('late')])).rejects.toMatchObject({ code: 'unavailable' })
    })

    describeFanOutContract(open)

    it('ends a waiting fetch with an empty batch when the bus closes', async () => {
      const { bus } = await open()
      const pending = bus.fetch('errors', 'workers', { max: 1, expiresMs: 120_000 })
      // Gives the fetch a moment to start waiting; closed earlier, the fetch simply finds it closed.
      await new Promise((r) => setTimeout(r, 50))
      await bus.close()
      expect(await settlesWithin(pending, 20_000, 'the waiting fetch did not end when the bus closed')).toEqual([])
    })
  })
}
