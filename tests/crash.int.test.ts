/**
 * Crash test: events are sent continuously while Faultline is killed with SIGKILL at random
 * (seeded) moments and restarted. Every event that got a 200 must end up in ClickHouse exactly
 * once: the table is read without FINAL, so a duplicate insert shows as a second row.
 *   embedded: one process (ROLE=all) on SQLite bus + chDB, the whole process killed;
 *   cluster:  real nats-server and redis-server, ingest in one process, processor+api in another,
 *             the processor process killed.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createBus } from '@faultline/core/adapters/bus'
import type { Bus } from '@faultline/core/ports'
import { startNatsServer, startRedisServer, type RunningServer } from '../core/src/testing/servers'
import { envelopeOf, sentryEvent } from './support/events'
import { createProjectIn, killAllFaultlines, seededRandom, sleep, spawnFaultline, storedEventCounts, type FaultlineProcess } from './support/processes'

const seed = Number(process.env.FAULT_SEED ?? 0x5eed_c4a5)
const kills = 3
// Short ack wait so messages leased by a killed process come back within the test.
const ackWaitMs = 2_000
const dataDirs: string[] = []
const servers: RunningServer[] = []

afterAll(async () => {
  await killAllFaultlines()
  for (const server of servers) await server.stop()
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-crash-'))
  dataDirs.push(dir)
  return dir
}

/**
 * Posts one event per envelope from `concurrency` loops until stopped. A request that fails (the
 * server is down, or answers 5xx) is retried with the same event id, as an SDK's transport would,
 * so an event published just before a kill and then sent again also tests deduplication.
 */
class ContinuousSender {
  readonly acked = new Set<string>()
  readonly unexpected: string[] = []
  attempts = 0
  retries = 0
  #running = true
  #loops: Promise<void>[] = []

  constructor(
    private readonly url: () => string,
    private readonly projectId: string,
    private readonly publicKey: string,
  ) {}

  start(concurrency: number): void {
    for (let i = 0; i < concurrency; i++) this.#loops.push(this.#loop(i))
  }

  async stop(): Promise<void> {
    this.#running = false
    await Promise.all(this.#loops)
  }

  async #loop(worker: number): Promise<void> {
    for (let n = 0; this.#running; n++) {
      const event = sentryEvent({ type: 'CrashTestError', value: `group ${n % 7}`, stack: [`worker${worker}`, `step${n % 7}`], tags: { worker: String(worker) } })
      const eventId = event.event_id as string
      const body = envelopeOf([event])
      while (this.#running) {
        this.attempts++
        try {
          const response = await fetch(`${this.url()}/api/${this.projectId}/envelope/?sentry_key=${this.publicKey}&sentry_version=7`, {
            method: 'POST',
            body,
            signal: AbortSignal.timeout(15_000),
          })
          await response.arrayBuffer()
          if (response.status === 200) {
            this.acked.add(eventId)
            break
          }
          if (response.status < 500 && response.status !== 429) {
            this.unexpected.push(`${eventId}: ${response.status}`)
            break
          }
        } catch {
          // Connection refused or reset while the process is down: retry the same event.
        }
        this.retries++
        await sleep(50)
      }
    }
  }
}

async function waitForEmptyBacklog(bus: Bus, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let backlog = await bus.backlog('errors')
  while (backlog > 0) {
    if (Date.now() > deadline) throw new Error(`bus backlog still ${backlog} after ${timeoutMs} ms`)
    await sleep(200)
    backlog = await bus.backlog('errors')
  }
}

/** Sends while killing `victim` at seeded random moments; returns the sender once stopped. */
async function sendThroughKills(sender: ContinuousSender, victim: FaultlineProcess, random: () => number): Promise<number[]> {
  const killTimes: number[] = []
  sender.start(4)
  for (let k = 0; k < kills; k++) {
    const wait = Math.round(1_000 + random() * 2_500)
    await sleep(wait)
    killTimes.push(wait)
    await victim.restart()
  }
  await sleep(1_500)
  await sender.stop()
  return killTimes
}

function checkExactlyOnce(acked: Set<string>, stored: Map<string, number>): { missing: string[]; duplicated: [string, number][] } {
  const missing = [...acked].filter((id) => !stored.has(id))
  const duplicated = [...stored].filter(([, n]) => n > 1)
  return { missing, duplicated }
}

describe('crash: kill -9 and restart', () => {
  it('embedded profile: the whole process killed, every acknowledged event stored exactly once', async () => {
    const started = Date.now()
    const random = seededRandom(seed)
    const dataDir = tempDir()
    const project = await createProjectIn(dataDir, 'Crash embedded')
    const env = { BUS_ACK_WAIT_MS: String(ackWaitMs), PROCESSOR_FLUSH_MS: '50' }
    const faultline = await spawnFaultline({ dataDir, env })
    const sender = new ContinuousSender(() => faultline.url, project.projectId, project.publicKey)
    const killTimes = await sendThroughKills(sender, faultline, random)

    const bus = await createBus({ sqlitePath: join(dataDir, 'bus.sqlite'), ackWaitMs, dedupeWindowMs: 600_000 })
    try {
      await waitForEmptyBacklog(bus, 60_000)
      expect(await bus.listDeadLetters('errors', { limit: 20 })).toEqual([])
    } finally {
      await bus.close()
    }
    await faultline.stop()

    const stored = await storedEventCounts(dataDir, project.projectId)
    const { missing, duplicated } = checkExactlyOnce(sender.acked, stored)
    console.log(
      `crash embedded (seed ${seed}): ${faultline.starts} starts, kills after ${killTimes.join('/')} ms; ` +
        `${sender.acked.size} acked of ${sender.attempts} requests (${sender.retries} retries), ${stored.size} stored, ` +
        `${missing.length} missing, ${duplicated.length} duplicated, ${Date.now() - started} ms`,
    )
    expect(faultline.starts).toBe(kills + 1)
    expect(sender.unexpected).toEqual([])
    expect(sender.acked.size).toBeGreaterThan(200)
    expect(missing).toEqual([])
    expect(duplicated).toEqual([])
  }, 120_000)

  it('cluster profile: the processor killed, every acknowledged event stored exactly once', async () => {
    const started = Date.now()
    const random = seededRandom(seed + 1)
    const [nats, redis] = await Promise.all([startNatsServer(), startRedisServer()])
    servers.push(nats, redis)
    const dataDir = tempDir()
    const urls = { NATS_URL: nats.url, REDIS_URL: redis.url, BUS_ACK_WAIT_MS: String(ackWaitMs) }
    const project = await createProjectIn(dataDir, 'Crash cluster', urls)
    const ingest = await spawnFaultline({ dataDir, env: { ...urls, ROLE: 'ingest' } })
    const processor = await spawnFaultline({ dataDir, env: { ...urls, ROLE: 'processor,api', PROCESSOR_FLUSH_MS: '50' } })
    const sender = new ContinuousSender(() => ingest.url, project.projectId, project.publicKey)
    const killTimes = await sendThroughKills(sender, processor, random)

    const bus = await createBus({ natsUrl: nats.url, sqlitePath: join(dataDir, 'unused-bus.sqlite'), ackWaitMs, dedupeWindowMs: 600_000 })
    try {
      await waitForEmptyBacklog(bus, 60_000)
      expect(await bus.listDeadLetters('errors', { limit: 20 })).toEqual([])
    } finally {
      await bus.close()
    }
    await processor.stop()
    await ingest.stop()

    const stored = await storedEventCounts(dataDir, project.projectId)
    const { missing, duplicated } = checkExactlyOnce(sender.acked, stored)
    console.log(
      `crash cluster (seed ${seed + 1}): processor started ${processor.starts} times, kills after ${killTimes.join('/')} ms; ` +
        `${sender.acked.size} acked of ${sender.attempts} requests (${sender.retries} retries), ${stored.size} stored, ` +
        `${missing.length} missing, ${duplicated.length} duplicated, ${Date.now() - started} ms`,
    )
    expect(processor.starts).toBe(kills + 1)
    expect(ingest.starts).toBe(1)
    expect(sender.unexpected).toEqual([])
    expect(sender.acked.size).toBeGreaterThan(200)
    expect(missing).toEqual([])
    expect(duplicated).toEqual([])
  }, 120_000)
})
