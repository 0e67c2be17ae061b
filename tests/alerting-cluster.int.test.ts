/**
 * Alerting on the cluster profile with two replicas as real processes (real nats-server and
 * redis-server, one shared metadata file): every alert group is told exactly once while both
 * run, and after the leader is killed with SIGKILL the other takes over without telling again
 * what was already told.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AlertGroupStore, ConfigStore, loadConfigYaml } from '@faultline/alerting'
import { createOrganization, openAccountStores } from '@faultline/core/accounts'
import { createProject, openProjectStores } from '@faultline/core/projects'
import { openJetStreamBus } from '@faultline/core/adapters/bus'
import { createMetadataStore } from '@faultline/core/adapters/metadata'
import type { Bus, MetadataStore } from '@faultline/core/ports'
import { encodeIssueEvent, type IssueEvent } from '@faultline/core/schema'
import { startNatsServer, startRedisServer, type RunningServer } from '@faultline/core/testing'
import { startNotificationCollector, type NotificationCollector } from './support/notification-collector'

const repoRoot = resolve(import.meta.dirname, '..')
const dataDir = mkdtempSync(join(tmpdir(), 'fl-alerting-cluster-'))
let nats: RunningServer
let redis: RunningServer
let collector: NotificationCollector
let bus: Bus
let metadata: MetadataStore
let projectId: string
let orgId: string
const replicas: { child: ChildProcess; role: string; output: string }[] = []

function startReplica() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/alerting-replica.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, NATS_URL: nats.url, REDIS_URL: redis.url, LOG_LEVEL: 'warn', ALERTING_LEASE_TTL_MS: '2000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const replica = { child, role: 'starting', output: '' }
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = chunk.toString().trim().split('\n')
    replica.role = lines.at(-1)!
  })
  child.stderr!.on('data', (chunk: Buffer) => (replica.output = (replica.output + chunk.toString()).slice(-4_000)))
  replicas.push(replica)
  return replica
}

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value as T
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms; replicas: ${replicas.map((r) => `${r.role} ${r.output}`).join(' | ')}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

function issueCreated(issueId: string): IssueEvent {
  const now = Date.now()
  return {
    v: 1,
    id: `${issueId}:created:${now}`,
    type: 'created',
    projectId,
    issueId,
    at: now,
    source: 'processor',
    issue: {
      title: `ClusterError ${issueId}`,
      culprit: 'cluster.js',
      type: 'ClusterError',
      value: issueId,
      level: 'error',
      platform: 'node',
      status: 'unresolved',
      substatus: 'new',
      firstSeen: now,
      lastSeen: now,
      eventCount: 1,
      userCount: 0,
      firstRelease: '',
      lastRelease: '',
      environments: ['production'],
    },
  }
}

const publish = (ids: string[]) => bus.publish('issue-events', ids.map((id) => issueCreated(id)).map((e) => ({ id: e.id, data: encodeIssueEvent(e) })))
const told = (issueId: string) => collector.webhooks.filter((w) => w.json.alerts.some((a: any) => a.labels.issue === issueId && a.status === 'firing'))

beforeAll(async () => {
  ;[nats, redis] = await Promise.all([startNatsServer(), startRedisServer()])
  collector = await startNotificationCollector()
  metadata = await createMetadataStore({ sqlitePath: join(dataDir, 'metadata.sqlite') })
  bus = await openJetStreamBus({ url: nats.url, ackWaitMs: 5_000, dedupeWindowMs: 60_000 })
  const loaded = loadConfigYaml(`
route:
  receiver: hook
  group_by: [issue]
  group_wait: 0s
  group_interval: 1s
receivers:
  - name: hook
    webhook_configs: [{ url: '${collector.webhookUrl('cluster')}' }]
rules:
  - { name: cluster-new, kind: issue, when: [new] }
`)
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems))
  const org = await createOrganization(await openAccountStores(metadata), 'Cluster org')
  orgId = org._id
  projectId = (await createProject(await openProjectStores(metadata), org._id, 'Cluster project')).project._id
  const applied = await (await ConfigStore.open(metadata)).apply(org._id, loaded.source, 0, 'tests')
  expect(applied.ok).toBe(true)
}, 60_000)

afterAll(async () => {
  for (const { child } of replicas) child.kill('SIGKILL')
  await bus?.close()
  await metadata?.close()
  await collector?.close()
  await Promise.all([nats?.stop(), redis?.stop()])
  rmSync(dataDir, { recursive: true, force: true })
})

describe('alerting with two replicas', () => {
  it('tells each group exactly once, and carries on without repeats after the leader is killed', async () => {
    const [a, b] = [startReplica(), startReplica()]
    await until('one replica leading and the other following', () => [a.role, b.role].sort().join() === 'follower,leader')
    const first = Array.from({ length: 10 }, (_, i) => `c1-${i}`)
    await publish(first)
    await until('every first-batch group told', () => first.every((id) => told(id).length > 0))
    const leader = a.role === 'leader' ? a : b
    const follower = leader === a ? b : a
    leader.child.kill('SIGKILL')
    await until('the other replica taking over', () => follower.role === 'leader', 30_000)
    const second = Array.from({ length: 10 }, (_, i) => `c2-${i}`)
    await publish(second)
    await until('every second-batch group told', () => second.every((id) => told(id).length > 0), 30_000)
    // Every group is flushed twice more (each flush writes the group; one group never has two
    // flushes at once, so the first of them is over): nothing is told twice.
    const groups = await AlertGroupStore.open(metadata)
    const flushedAt = async () => new Map((await groups.list(orgId, { limit: 100 })).map((g) => [g.groupKey, g.updatedAt]))
    expect((await flushedAt()).size).toBe(first.length + second.length)
    for (let flushes = 0; flushes < 2; flushes++) {
      const before = await flushedAt()
      await until('every group flushed again', async () => {
        const now = await flushedAt()
        return [...before].every(([key, at]) => (now.get(key) ?? 0) > at)
      })
    }
    for (const id of [...first, ...second]) expect(told(id), id).toHaveLength(1)
  }, 90_000)
})
