/**
 * The batch loop over the real SQLite bus: batches in flight at once under a backlog (`concurrency`),
 * one at a time otherwise, every message stored and acked once either way.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openSqliteBus } from '@faultline/core/adapters/bus'
import { createLogger } from '@faultline/core/log'
import { MetricsRegistry } from '@faultline/core/metrics'
import type { Bus } from '@faultline/core/ports'
import { BatchConsumer, pipelineDeps } from './batch-consumer'

const dirs: string[] = []
const buses: Bus[] = []

afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function openBus(): Promise<Bus> {
  const dir = mkdtempSync(join(tmpdir(), 'fl-batch-consumer-'))
  dirs.push(dir)
  const bus = await openSqliteBus({ path: join(dir, 'bus.sqlite'), ackWaitMs: 30_000, dedupeWindowMs: 60_000 })
  buses.push(bus)
  return bus
}

/** Runs a consumer over `messages` published up front; returns the most batches its store held at once and what it stored. */
async function drain(messages: number, options: { batchSize: number; concurrency?: number }): Promise<{ mostAtOnce: number; stored: string[]; sizes: number[] }> {
  const bus = await openBus()
  await bus.publish('security', Array.from({ length: messages }, (_, i) => ({ id: `m${i}`, data: Buffer.from(`m${i}`) })))
  let inStore = 0
  let mostAtOnce = 0
  const stored: string[] = []
  const sizes: number[] = []
  const platform = { bus, logger: createLogger('error', {}, () => undefined), metrics: new MetricsRegistry() }
  const consumer = new BatchConsumer(
    pipelineDeps(platform, 'test', 'Test', `faultline_test_${Math.random().toString(36).slice(2)}`),
    { subject: 'security', group: 'processor', flushMs: 20, maxDeliver: 3, ...options },
    {
      prepare: (message) => ({ ok: true, value: Buffer.from(message.data).toString() }),
      store: async (items) => {
        mostAtOnce = Math.max(mostAtOnce, ++inStore)
        sizes.push(items.length)
        // Long enough for the loop to fetch the next batch meanwhile, as a ClickHouse insert is.
        await new Promise((resolve) => setTimeout(resolve, 50))
        stored.push(...items.map((item) => item.value))
        inStore--
      },
    },
  )
  consumer.start()
  while (stored.length < messages) await new Promise((resolve) => setTimeout(resolve, 10))
  await consumer.stop()
  expect(await bus.backlog('security')).toBe(0)
  return { mostAtOnce, stored, sizes }
}

describe('BatchConsumer', () => {
  it('stores two full batches at once under a backlog, each message once', async () => {
    const { mostAtOnce, stored } = await drain(100, { batchSize: 10, concurrency: 2 })
    expect(mostAtOnce).toBe(2)
    expect(stored.sort()).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`).sort())
  })

  it('stores one batch at a time without concurrency', async () => {
    const { mostAtOnce, stored } = await drain(40, { batchSize: 10 })
    expect(mostAtOnce).toBe(1)
    expect(stored).toHaveLength(40)
  })

  it('waits for the batch in hand when it was not full: no backlog, nothing to overlap', async () => {
    const { mostAtOnce, sizes } = await drain(5, { batchSize: 10, concurrency: 2 })
    expect(sizes).toEqual([5])
    expect(mostAtOnce).toBe(1)
  })
})
