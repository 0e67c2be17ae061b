/**
 * The fan-out part of the bus contract: independent consumer groups on one subject, each with its
 * own position, deliveries and acks. Run by `describeBusContract` against every adapter.
 */
import { expect, it } from 'vitest'
import type { Bus, BusMessage, OutgoingMessage, Subject } from '../../ports/bus'
import type { BusUnderTest } from './bus-under-test'

const encoder = new TextEncoder()
const message = (id: string): OutgoingMessage => ({ id, data: encoder.encode(`payload of ${id}`) })

/** Fetch for `group` until `count` messages arrived (acking none), or fail loudly after `timeoutMs`. */
export async function fetchGroup(bus: Bus, subject: Subject, group: string, count: number, timeoutMs = 5_000): Promise<BusMessage[]> {
  const got: BusMessage[] = []
  const deadline = Date.now() + timeoutMs
  while (got.length < count) {
    if (Date.now() > deadline) throw new Error(`group ${group} got ${got.length} of ${count} messages within ${timeoutMs} ms`)
    got.push(...(await bus.fetch(subject, group, { max: Math.min(256, count - got.length), expiresMs: 200 })))
  }
  return got
}

export function describeFanOutContract(open: () => Promise<BusUnderTest>): void {
  it('fan-out: every group gets every message, with its own acks', async () => {
    const { bus } = await open()
    // Both groups exist before the publish, so nothing is trimmed away from under either.
    expect(await bus.fetch('issue-events', 'alerting', { max: 1, expiresMs: 0 })).toEqual([])
    expect(await bus.fetch('issue-events', 'audit', { max: 1, expiresMs: 0 })).toEqual([])
    await bus.publish('issue-events', ['e1', 'e2', 'e3'].map(message))
    const first = await fetchGroup(bus, 'issue-events', 'alerting', 3)
    expect(first.map((m) => [m.id, m.group, m.deliveryCount])).toEqual([
      ['e1', 'alerting', 1],
      ['e2', 'alerting', 1],
      ['e3', 'alerting', 1],
    ])
    await Promise.all(first.map((m) => m.ack()))
    expect(await bus.fetch('issue-events', 'alerting', { max: 10, expiresMs: 100 })).toEqual([])
    // The other group's position is untouched by the first group's acks.
    expect(await bus.backlog('issue-events')).toBe(3)
    const second = await fetchGroup(bus, 'issue-events', 'audit', 3)
    expect(second.map((m) => [m.id, m.group, m.deliveryCount])).toEqual([
      ['e1', 'audit', 1],
      ['e2', 'audit', 1],
      ['e3', 'audit', 1],
    ])
    await second[0]!.ack()
    expect(await bus.backlog('issue-events')).toBe(2)
    await Promise.all(second.slice(1).map((m) => m.ack()))
    expect(await bus.backlog('issue-events')).toBe(0)
  })

  it('fan-out: a nak redelivers to its own group only', async () => {
    const { bus } = await open()
    await bus.fetch('issue-events', 'alerting', { max: 1, expiresMs: 0 })
    await bus.fetch('issue-events', 'audit', { max: 1, expiresMs: 0 })
    await bus.publish('issue-events', [message('n1')])
    const [a] = await fetchGroup(bus, 'issue-events', 'alerting', 1)
    const [b] = await fetchGroup(bus, 'issue-events', 'audit', 1)
    await a!.nak(0)
    await b!.ack()
    const [again] = await fetchGroup(bus, 'issue-events', 'alerting', 1)
    expect([again!.id, again!.deliveryCount]).toEqual(['n1', 2])
    expect(await bus.fetch('issue-events', 'audit', { max: 1, expiresMs: 300 })).toEqual([])
    await again!.ack()
    expect(await bus.backlog('issue-events')).toBe(0)
  })

  it('fan-out: competing fetchers within a group share its messages while another group sees them all', async () => {
    const { bus } = await open()
    await bus.fetch('errors', 'processor', { max: 1, expiresMs: 0 })
    await bus.fetch('errors', 'alerting', { max: 1, expiresMs: 0 })
    const total = 40
    await bus.publish('errors', Array.from({ length: total }, (_, i) => message(`f-${i}`)))
    const seen: string[] = []
    const worker = async () => {
      const stopAt = Date.now() + 10_000
      while (seen.length < total && Date.now() < stopAt) {
        for (const m of await bus.fetch('errors', 'processor', { max: 3, expiresMs: 100 })) {
          seen.push(m.id)
          await m.ack()
        }
      }
    }
    await Promise.all([worker(), worker()])
    // At least once: a message held past the ack wait may come twice, but none is missing.
    expect([...new Set(seen)].sort()).toEqual(Array.from({ length: total }, (_, i) => `f-${i}`).sort())
    const other = await fetchGroup(bus, 'errors', 'alerting', total)
    expect(new Set(other.map((m) => m.id)).size).toBe(total)
  })

  it('fan-out: a group the bus was opened with receives what was published before its first fetch', async () => {
    const { bus } = await open()
    await bus.publish('replays', [message('early')])
    expect(await bus.backlog('replays')).toBe(1)
    const [got] = await fetchGroup(bus, 'replays', 'workers', 1)
    expect(got!.id).toBe('early')
    await got!.ack()
    expect(await bus.backlog('replays')).toBe(0)
  })

  it('fan-out: a dead letter replays to the group that failed it, not to the others', async () => {
    const { bus } = await open()
    await bus.fetch('issue-events', 'alerting', { max: 1, expiresMs: 0 })
    await bus.fetch('issue-events', 'audit', { max: 1, expiresMs: 0 })
    await bus.publish('issue-events', [message('poison'), message('fine')])
    const [poison, fine] = await fetchGroup(bus, 'issue-events', 'alerting', 2)
    await bus.deadLetter(poison!, 'rule exploded')
    await fine!.ack()
    await Promise.all((await fetchGroup(bus, 'issue-events', 'audit', 2)).map((m) => m.ack()))
    const [letter] = await bus.listDeadLetters('issue-events', { limit: 10 })
    expect(letter).toMatchObject({ id: 'poison', group: 'alerting', error: 'rule exploded' })
    expect(await bus.replayDeadLetter('issue-events', letter!.seq)).toBe(true)
    const [back] = await fetchGroup(bus, 'issue-events', 'alerting', 1)
    expect([back!.id, back!.group]).toEqual(['poison', 'alerting'])
    await back!.ack()
    expect(await bus.fetch('issue-events', 'audit', { max: 5, expiresMs: 300 })).toEqual([])
    expect(await bus.backlog('issue-events')).toBe(0)
  })

  it('fan-out: each group keeps its position across a reopen', async () => {
    const fx = await open()
    await fx.bus.fetch('issue-events', 'alerting', { max: 1, expiresMs: 0 })
    await fx.bus.fetch('issue-events', 'audit', { max: 1, expiresMs: 0 })
    await fx.bus.publish('issue-events', ['p1', 'p2'].map(message))
    await Promise.all((await fetchGroup(fx.bus, 'issue-events', 'alerting', 2)).map((m) => m.ack()))
    await fx.bus.close()
    const reopened = await fx.reopen()
    expect(await reopened.fetch('issue-events', 'alerting', { max: 5, expiresMs: 300 })).toEqual([])
    // What the closed bus had handed out unacked comes back; at least once, so count distinct ids.
    const ids = new Set<string>()
    const deadline = Date.now() + 5_000
    while (ids.size < 2) {
      if (Date.now() > deadline) throw new Error(`the audit group got ${[...ids].join(', ') || 'nothing'} after the reopen`)
      for (const m of await reopened.fetch('issue-events', 'audit', { max: 2, expiresMs: 200 })) ids.add(m.id)
    }
    expect([...ids].sort()).toEqual(['p1', 'p2'])
  })
}
