import { connect, nanos, RetentionPolicy, StorageType } from 'nats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Bus } from '../../ports/bus'
import { getFreePort, startNatsServer, type RunningServer } from '../../testing/servers'
import { contractBusOptions, describeBusContract } from './bus.contract'
import { fetchGroup } from './bus-fanout.contract'
import { createBus } from './create-bus'
import { openJetStreamBus } from './jetstream-bus'

let server: RunningServer | undefined
beforeAll(async () => {
  server = await startNatsServer()
})
afterAll(async () => {
  await server?.stop()
})

let fixtures = 0
describeBusContract('jetstream', async () => {
  if (!server) throw new Error('nats-server did not start')
  // Every test gets its own streams on the shared server.
  const namespace = `t${++fixtures}`
  const url = server.url
  const opened: Bus[] = []
  const openOne = async () => {
    const bus = await openJetStreamBus({ url, namespace, ...contractBusOptions })
    opened.push(bus)
    return bus
  }
  return {
    bus: await openOne(),
    reopen: openOne,
    cleanup: async () => {
      await Promise.all(opened.map((bus) => bus.close()))
    },
  }
})

describe('jetstream bus setup', () => {
  it('is what createBus returns for a NATS url', async () => {
    const bus = await createBus({ natsUrl: server!.url, sqlitePath: '/nonexistent/unused.sqlite', ...contractBusOptions })
    try {
      expect(bus.kind).toBe('jetstream')
      await bus.ping()
    } finally {
      await bus.close()
    }
  })

  it('updates existing streams and consumers when the options change', async () => {
    const namespace = 'setup'
    const first = await openJetStreamBus({ url: server!.url, namespace, ackWaitMs: 120_000, dedupeWindowMs: 60_000, groups: { errors: ['workers'] } })
    await first.publish('errors', [{ id: 'u1', data: new Uint8Array([1]) }])
    expect(await first.fetch('errors', 'workers', { max: 1, expiresMs: 1_000 })).toHaveLength(1)
    await first.close()
    const second = await openJetStreamBus({ url: server!.url, namespace, ackWaitMs: 300, dedupeWindowMs: 120_000, groups: { errors: ['workers'] } })
    try {
      await second.publish('errors', [{ id: 'u2', data: new Uint8Array([2]) }])
      const [got] = await second.fetch('errors', 'workers', { max: 1, expiresMs: 1_000 })
      expect(got?.id).toBe('u2')
      // Both leases lapse on the new 300 ms ack wait, u1's too, though it was leased under 2 minutes:
      // within the 20 s this waits, only the new ack wait can bring u1 back.
      const redelivered: string[] = []
      const until = Date.now() + 20_000
      while (redelivered.length < 2 && Date.now() < until) {
        for (const m of await second.fetch('errors', 'workers', { max: 2, expiresMs: 500 })) {
          // Redelivered at least once (a loaded machine may let a 300 ms lease lapse twice).
          expect(m.deliveryCount).toBeGreaterThanOrEqual(2)
          redelivered.push(m.id)
        }
      }
      expect(redelivered.sort()).toEqual(['u1', 'u2'])
      const nc = await connect({ servers: server!.url })
      const jsm = await nc.jetstreamManager()
      expect((await jsm.streams.info('SETUP_ERRORS')).config.duplicate_window).toBe(nanos(120_000))
      await nc.close()
    } finally {
      await second.close()
    }
  })

  it('deletes a message once every group acked it, and keeps it while one has not', async () => {
    const bus = await openJetStreamBus({ url: server!.url, namespace: 'interest', ...contractBusOptions, groups: { 'issue-events': ['a', 'b'] } })
    const nc = await connect({ servers: server!.url })
    try {
      const jsm = await nc.jetstreamManager()
      const stored = async () => (await jsm.streams.info('INTEREST_ISSUE-EVENTS')).state.messages
      await bus.publish('issue-events', [{ id: 't1', data: new Uint8Array([1]) }, { id: 't2', data: new Uint8Array([2]) }])
      for (const m of await fetchGroup(bus, 'issue-events', 'a', 2)) await m.ack()
      // Group b was created at open and has acked nothing: both are kept for it.
      expect(await stored()).toBe(2)
      const forB = await fetchGroup(bus, 'issue-events', 'b', 2)
      expect(forB.map((m) => m.id)).toEqual(['t1', 't2'])
      for (const m of forB) await m.ack()
      const deadline = Date.now() + 60_000
      while ((await stored()) !== 0) {
        if (Date.now() > deadline) throw new Error(`stream still holds ${await stored()} messages after every group acked`)
        await new Promise((r) => setTimeout(r, 25))
      }
    } finally {
      await nc.close()
      await bus.close()
    }
  })

  it('replaces an empty work-queue stream of an earlier version and refuses one still holding messages', async () => {
    const nc = await connect({ servers: server!.url })
    try {
      const jsm = await nc.jetstreamManager()
      await jsm.streams.add({ name: 'OLDQ_ERRORS', subjects: ['oldq.errors'], retention: RetentionPolicy.Workqueue, storage: StorageType.File })
      const bus = await openJetStreamBus({ url: server!.url, namespace: 'oldq', ...contractBusOptions })
      expect((await jsm.streams.info('OLDQ_ERRORS')).config.retention).toBe(RetentionPolicy.Interest)
      await bus.close()

      await jsm.streams.add({ name: 'FULLQ_ERRORS', subjects: ['fullq.errors'], retention: RetentionPolicy.Workqueue, storage: StorageType.File })
      await nc.jetstream().publish('fullq.errors', new Uint8Array([1]))
      await expect(openJetStreamBus({ url: server!.url, namespace: 'fullq', ...contractBusOptions })).rejects.toMatchObject({
        code: 'unavailable',
        cause: { message: expect.stringContaining('FULLQ_ERRORS has the workqueue retention of an earlier Faultline and holds 1 messages') },
      })
      expect((await jsm.streams.info('FULLQ_ERRORS')).state.messages).toBe(1)
    } finally {
      await nc.close()
    }
  })

  it('fails with a BusError when no NATS server answers', async () => {
    const port = await getFreePort()
    await expect(
      openJetStreamBus({ url: `nats://127.0.0.1:${port}`, ...contractBusOptions }),
    ).rejects.toMatchObject({ code: 'unavailable' })
  })
})
