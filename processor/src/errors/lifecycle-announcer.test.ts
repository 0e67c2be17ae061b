/** Issue lifecycle events from the error pipeline, against real chDB, SQLite metadata and the SQLite bus. */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '@faultline/core/config'
import { createLogger } from '@faultline/core/log'
import { openPlatform, type Platform } from '@faultline/core/platform'
import type { Bus } from '@faultline/core/ports'
import { createProject } from '@faultline/core/projects'
import { defaultOrganization } from '@faultline/core/accounts'
import { decodeIssueEvent, encodeErrorMessage, type IssueEvent } from '@faultline/core/schema'
import { ErrorConsumer, errorConsumerGroup } from './error-consumer'

const dataDir = mkdtempSync(join(tmpdir(), 'fl-lifecycle-'))
let platform: Platform
let projectId: string
let orgId: string

beforeAll(async () => {
  platform = await openPlatform(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error' }), { logger: createLogger('error', {}, () => {}) })
  orgId = (await defaultOrganization(platform.accounts))._id
  projectId = (await createProject(platform.projects, orgId, 'Lifecycle test')).project._id
}, 60_000)

afterAll(async () => {
  await platform?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

interface Shape {
  type: string
  at?: number
  environment?: string
  release?: string
  tags?: Record<string, string>
}

async function runBatch(consumer: ErrorConsumer, shapes: Shape[]): Promise<void> {
  const ids = shapes.map(() => randomUUID().replaceAll('-', ''))
  await platform.bus.publish(
    'errors',
    shapes.map((shape, i) => ({
      id: ids[i]!,
      data: encodeErrorMessage({
        v: 1,
        projectId,
        eventId: ids[i]!,
        receivedAt: Date.now(),
        event: {
          event_id: ids[i],
          timestamp: (shape.at ?? Date.now()) / 1000,
          environment: shape.environment ?? 'production',
          release: shape.release,
          tags: shape.tags ?? {},
          exception: { values: [{ type: shape.type, value: 'boom', stacktrace: { frames: [{ function: shape.type, filename: 'app.js', in_app: true }] } }] },
        },
      }),
    })),
  )
  const deadline = Date.now() + 60_000
  for (let handled = 0; handled < shapes.length; ) {
    if (Date.now() > deadline) throw new Error(`only ${handled} of ${shapes.length} messages came back from the bus`)
    const batch = await platform.bus.fetch('errors', errorConsumerGroup, { max: 100, expiresMs: 200 })
    handled += batch.length
    await consumer.handleBatch(batch)
  }
}

/** Every lifecycle event waiting for the `tests` group, acked. */
async function lifecycleEvents(): Promise<IssueEvent[]> {
  const out: IssueEvent[] = []
  for (;;) {
    const batch = await platform.bus.fetch('issue-events', 'tests', { max: 100, expiresMs: 100 })
    if (batch.length === 0) return out
    for (const m of batch) {
      const decoded = decodeIssueEvent(m.data)
      if (!decoded.ok) throw new Error(decoded.reason)
      out.push(decoded.message)
      await m.ack()
    }
  }
}

const consumerOn = (bus: Bus = platform.bus) =>
  new ErrorConsumer({ ...platform, bus } as Platform, { batchSize: 100, flushMs: 10, maxDeliver: 5, escalation: { checkEveryMs: 0 } })

describe('issue lifecycle events', () => {
  it('announces a new issue once, with the triggering event, and a regression after a resolve', async () => {
    await lifecycleEvents()
    const consumer = consumerOn()
    await runBatch(consumer, [{ type: 'NewError', environment: 'staging', release: 'r1', tags: { team: 'core' } }])
    await runBatch(consumer, [{ type: 'NewError' }])
    const [created, ...rest] = await lifecycleEvents()
    expect(rest).toEqual([])
    expect(created).toMatchObject({
      v: 1,
      type: 'created',
      projectId,
      source: 'processor',
      issue: { type: 'NewError', status: 'unresolved', substatus: 'new' },
      trigger: { environment: 'staging', release: 'r1', tags: { team: 'core' } },
    })
    await platform.issues.issues.findOneAndUpdate(orgId, { _id: created!.issueId }, { $set: { status: 'resolved', resolvedAt: Date.now() - 1 } })
    await runBatch(consumer, [{ type: 'NewError', release: 'r2' }])
    const [regressed, ...more] = await lifecycleEvents()
    expect(more).toEqual([])
    expect(regressed).toMatchObject({ type: 'regressed', issueId: created!.issueId, issue: { status: 'unresolved', substatus: 'regressed' }, trigger: { release: 'r2' } })
    expect((await platform.issues.issues.get(orgId, created!.issueId))?.lifecycleOwed).toBeUndefined()
  }, 60_000)

  it('still announces a new issue when the first publish failed and the batch is retried', async () => {
    await lifecycleEvents()
    let failures = 1
    const flaky = new Proxy(platform.bus, {
      get(target, key) {
        if (key === 'publish') {
          return async (...args: Parameters<Bus['publish']>) => {
            if (args[0] === 'issue-events' && failures-- > 0) throw new Error('bus hiccup')
            return target.publish(...args)
          }
        }
        const value = Reflect.get(target, key) as unknown
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
      },
    })
    await runBatch(consumerOn(flaky), [{ type: 'FlakyPublishError' }])
    expect(await lifecycleEvents()).toEqual([])
    // The failed message comes back after its nak delay and is handled again.
    const deadline = Date.now() + 60_000
    let events: IssueEvent[] = []
    while (events.length === 0) {
      if (Date.now() > deadline) throw new Error('the owed created event was never published')
      const batch = await platform.bus.fetch('errors', errorConsumerGroup, { max: 10, expiresMs: 500 })
      await consumerOn(flaky).handleBatch(batch)
      events = await lifecycleEvents()
    }
    expect(events.map((e) => [e.type, e.issue.type])).toEqual([['created', 'FlakyPublishError']])
  }, 60_000)

  it('announces escalating when the rate jumps against the issue baseline, once', async () => {
    await lifecycleEvents()
    const consumer = consumerOn()
    const now = Date.now()
    // Two hours of history at one event every 20 minutes, then 30 events in the last minutes.
    await runBatch(consumer, Array.from({ length: 6 }, (_, i) => ({ type: 'SpikyError', at: now - 2 * 3_600_000 + i * 20 * 60_000 })))
    const [created] = await lifecycleEvents()
    expect(created?.type).toBe('created')
    await runBatch(consumer, Array.from({ length: 30 }, (_, i) => ({ type: 'SpikyError', at: now - i * 1_000 })))
    await runBatch(consumer, [{ type: 'SpikyError' }])
    const events = await lifecycleEvents()
    expect(events.map((e) => e.type)).toEqual(['escalating'])
    expect(events[0]!.escalation!.recentPerMinute).toBeGreaterThanOrEqual(3)
    expect(events[0]!.escalation!.baselinePerMinute).toBeLessThan(0.1)
    expect((await platform.issues.issues.get(orgId, created!.issueId))?.substatus).toBe('escalating')
  }, 60_000)
})
