/**
 * Crash tests: events are sent continuously while Faultline is killed with SIGKILL and restarted.
 * Every event that got a 200 must end up in ClickHouse exactly once, and the per-minute rollups
 * and issue counts must add up to the events stored. Each scenario runs once (beforeAll); each
 * of those checks is a test of its own. Merges of the events table are held (holdMerges), so a
 * duplicate insert stays visible as a second row.
 *
 * Fault points (core/src/faults) kill the process at the moments that matter, so these tests do
 * not depend on where a random kill happens to land:
 *   after-bus-publish        the bus holds the events, the sender gets no answer and sends again;
 *   before-event-insert      nothing stored yet: an ack given before the insert loses the batch;
 *   after-event-insert       stored but not acked: the redelivery must not be inserted twice;
 *   in-metadata-transaction  issue writes half done and rolled back: the redelivery redoes them.
 * Then the same with kills at seeded random moments (FAULT_SEED replays them).
 *   embedded: one process (ROLE=all) on SQLite bus + chDB, the whole process killed;
 *   cluster:  real nats-server and redis-server, ingest in one process, processor+api in another.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBus } from '@faultline/core/adapters/bus'
import { startNatsServer, startRedisServer, type RunningServer } from '../core/src/testing/servers'
import { ContinuousSender } from './support/continuous-sender'
import { createProjectIn, killAllFaultlines, seededRandom, spawnFaultline, type CreatedProject, type FaultlineProcess } from './support/processes'
import { holdMerges, storedEvents, type StoredEvents } from './support/stored-events'
import { waitUntil } from './support/wait'

const seed = Number(process.env.FAULT_SEED ?? 0x5eed_c4a5)
const randomKills = 3
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

interface Profile {
  name: string
  dataDir: string
  project: CreatedProject
  /** Where the sender posts. */
  ingest: FaultlineProcess
  /** The process the processor faults and random kills hit. */
  processor: FaultlineProcess
  /** Opens the profile's bus from the test, to wait for its backlog. */
  openBus: () => ReturnType<typeof createBus>
  stop(): Promise<void>
}

/** One process with every role on the embedded defaults; `faults` arms it from the start. */
async function embeddedProfile(faults = ''): Promise<Profile> {
  const dataDir = tempDir()
  const project = await createProjectIn(dataDir, 'Crash embedded')
  await holdMerges(dataDir)
  const faultline = await spawnFaultline({ dataDir, env: { BUS_ACK_WAIT_MS: String(ackWaitMs), PROCESSOR_FLUSH_MS: '50', FAULTLINE_FAULTS: faults } })
  return {
    name: 'embedded',
    dataDir,
    project,
    ingest: faultline,
    processor: faultline,
    openBus: () => createBus({ sqlitePath: join(dataDir, 'bus.sqlite'), ackWaitMs, dedupeWindowMs: 600_000 }),
    stop: () => faultline.stop(),
  }
}

/** nats-server and redis-server; ingest in one process, processor and API in another. */
async function clusterProfile(ingestFaults = '', processorFaults = ''): Promise<Profile> {
  const [nats, redis] = await Promise.all([startNatsServer(), startRedisServer()])
  servers.push(nats, redis)
  const dataDir = tempDir()
  const urls = { NATS_URL: nats.url, REDIS_URL: redis.url, BUS_ACK_WAIT_MS: String(ackWaitMs) }
  const project = await createProjectIn(dataDir, 'Crash cluster', urls)
  await holdMerges(dataDir)
  const ingest = await spawnFaultline({ dataDir, env: { ...urls, ROLE: 'ingest', FAULTLINE_FAULTS: ingestFaults } })
  const processor = await spawnFaultline({ dataDir, env: { ...urls, ROLE: 'processor,api', PROCESSOR_FLUSH_MS: '50', FAULTLINE_FAULTS: processorFaults } })
  return {
    name: 'cluster',
    dataDir,
    project,
    ingest,
    processor,
    openBus: () => createBus({ natsUrl: nats.url, sqlitePath: join(dataDir, 'unused-bus.sqlite'), ackWaitMs, dedupeWindowMs: 600_000 }),
    stop: async () => {
      await processor.stop()
      await ingest.stop()
    },
  }
}

/**
 * Lets `victim` run into each armed fault in turn: waits for the fault point to kill it, checks
 * that it died there, and restarts it armed with the next one (the last restart disarmed).
 */
async function runIntoFaults(victim: FaultlineProcess, faults: string[], sender: ContinuousSender): Promise<void> {
  for (const [i, fault] of faults.entries()) {
    sender.phase = fault
    await victim.exited()
    const point = fault.split(':')[0]
    expect(victim.output(), `the process did not die at ${fault}`).toContain(`fault injected: ${point}`)
    await victim.restart({ FAULTLINE_FAULTS: faults[i + 1] ?? '' })
  }
}

/** Kills `victim` at seeded random moments while the sender runs. */
async function killAtRandom(victim: FaultlineProcess, sender: ContinuousSender, random: () => number): Promise<number[]> {
  const killTimes: number[] = []
  for (let k = 0; k < randomKills; k++) {
    const wait = Math.round(1_000 + random() * 2_500)
    sender.phase = `random kill ${k + 1} after ${wait} ms`
    // The random moment is the point of this test: the sleep is the fault, not a synchronization.
    await new Promise((resolve) => setTimeout(resolve, wait))
    killTimes.push(wait)
    await victim.restart()
  }
  return killTimes
}

interface Outcome {
  label: string
  sender: ContinuousSender
  stored: StoredEvents
  issueCounts: number
  deadLetters: number
}

/**
 * After the kills: 100 more events through the last incarnation, the bus drained, Faultline
 * stopped, and what it stored read back. The checks are separate tests on the outcome, so a
 * failure names what broke.
 */
async function settle(profile: Profile, sender: ContinuousSender, label: string): Promise<Outcome> {
  sender.phase = 'after the last restart'
  // However slowly a loaded machine restarts, at least this many events are acknowledged.
  await sender.waitForAcks(100, 120_000)
  await sender.stop()
  const bus = await profile.openBus()
  let deadLetters: number
  try {
    await waitUntil('empty errors backlog', async () => (await bus.backlog('errors')) === 0, 180_000, 200)
    deadLetters = (await bus.listDeadLetters('errors', { limit: 20 })).length
  } finally {
    await bus.close()
  }
  const { project } = profile
  const issues = await fetch(`${profile.processor.url}/api/v1/projects/${project.projectId}/issues?status=all&limit=100`, { headers: { authorization: `Bearer ${project.apiToken}` } })
  const issueCounts = ((await issues.json()) as { data: { count: number }[] }).data.reduce((sum, issue) => sum + issue.count, 0)
  await profile.stop()
  const stored = await storedEvents(profile.dataDir, project.projectId)
  console.log(
    `crash ${profile.name}, ${label}: processor started ${profile.processor.starts} times, ingest ${profile.ingest.starts}; ` +
      `${sender.acked.size} acked of ${sender.attempts} requests (${sender.retries} retries), ${stored.rows.size} stored ` +
      `in ${stored.parts} parts; rollups ${JSON.stringify(stored.rollups)}, issue counts ${issueCounts}`,
  )
  return { label, sender, stored, issueCounts, deadLetters }
}

/** The checks every crash scenario must pass, as tests of their own. */
function exactlyOnceTests(outcome: () => Outcome): void {
  it('stores every acknowledged event', () => {
    const { sender, stored, deadLetters } = outcome()
    expect(sender.unexpected).toEqual([])
    expect(deadLetters).toBe(0)
    expect([...sender.acked].filter(([id]) => !stored.rows.has(id)).map(([id, phase]) => `${id} (acked in ${phase})`)).toEqual([])
  })

  it('stores no event twice', () => {
    const { sender, stored } = outcome()
    expect([...stored.rows].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n} (acked in ${sender.acked.get(id)})`)).toEqual([])
  })

  it('keeps the per-minute rollups and issue counts equal to the events stored', () => {
    const { stored, issueCounts } = outcome()
    const events = stored.rows.size
    expect({ ...stored.rollups, issueCounts }).toEqual({ fingerprintMinute: events, projectMinute: events, templateMinute: stored.templated, issueCounts: events })
  })
}

const processorFaults = ['before-event-insert:kill@5', 'after-event-insert:kill@5', 'in-metadata-transaction:kill@40']
// Generous for a loaded 2-core machine (each scenario starts Faultline several times): only a hang reaches it.
const scenarioTimeoutMs = 600_000

describe('crash: fault points, embedded profile (the whole process killed at each)', () => {
  let outcome: Outcome
  beforeAll(async () => {
    const faults = ['after-bus-publish:kill@40', ...processorFaults]
    const profile = await embeddedProfile(faults[0])
    const sender = new ContinuousSender(() => profile.ingest.url, profile.project.projectId, profile.project.publicKey)
    sender.start(4)
    await runIntoFaults(profile.processor, faults, sender)
    outcome = await settle(profile, sender, `faults ${faults.join(', ')}`)
  }, scenarioTimeoutMs)
  exactlyOnceTests(() => outcome)
})

describe('crash: fault points, cluster profile (ingest and processor killed at each)', () => {
  let outcome: Outcome
  beforeAll(async () => {
    const ingestFaults = ['after-bus-publish:kill@40']
    const profile = await clusterProfile(ingestFaults[0], processorFaults[0])
    const sender = new ContinuousSender(() => profile.ingest.url, profile.project.projectId, profile.project.publicKey)
    sender.start(4)
    await Promise.all([runIntoFaults(profile.ingest, ingestFaults, sender), runIntoFaults(profile.processor, processorFaults, sender)])
    outcome = await settle(profile, sender, `faults ${[...ingestFaults, ...processorFaults].join(', ')}`)
  }, scenarioTimeoutMs)
  exactlyOnceTests(() => outcome)
})

describe('crash: random moments, embedded profile (the whole process killed)', () => {
  let outcome: Outcome
  beforeAll(async () => {
    const profile = await embeddedProfile()
    const sender = new ContinuousSender(() => profile.ingest.url, profile.project.projectId, profile.project.publicKey)
    sender.start(4)
    const killTimes = await killAtRandom(profile.processor, sender, seededRandom(seed))
    outcome = await settle(profile, sender, `seed ${seed}, kills after ${killTimes.join('/')} ms`)
  }, scenarioTimeoutMs)
  exactlyOnceTests(() => outcome)
})

describe('crash: random moments, cluster profile (the processor killed)', () => {
  let outcome: Outcome
  beforeAll(async () => {
    const profile = await clusterProfile()
    const sender = new ContinuousSender(() => profile.ingest.url, profile.project.projectId, profile.project.publicKey)
    sender.start(4)
    const killTimes = await killAtRandom(profile.processor, sender, seededRandom(seed + 1))
    expect(profile.ingest.starts).toBe(1)
    outcome = await settle(profile, sender, `seed ${seed + 1}, kills after ${killTimes.join('/')} ms`)
  }, scenarioTimeoutMs)
  exactlyOnceTests(() => outcome)
})
