/**
 * Backpressure, not collapse: ingest runs alone (ROLE=ingest, nothing consuming the bus) with a
 * small BUS_MAX_BACKLOG. Once the backlog passes it, ingest answers 503 with Retry-After; every
 * event it acknowledged is on the bus; hammering it with refused requests does not grow its memory;
 * and once a processor starts on the same data directory the backlog drains, the acknowledged
 * events are stored, and ingest accepts again.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createBus } from '@faultline/core/adapters/bus'
import type { Bus } from '@faultline/core/ports'
import { envelopeOf, sentryEvent } from './support/events'
import { createProjectIn, killAllFaultlines, spawnFaultline, type CreatedProject, type FaultlineProcess } from './support/processes'
import { waitUntil } from './support/wait'

const maxBacklog = 200
const dataDir = mkdtempSync(join(tmpdir(), 'faultline-backpressure-'))
let bus: Bus | undefined

afterAll(async () => {
  await bus?.close()
  await killAllFaultlines()
  rmSync(dataDir, { recursive: true, force: true })
})

interface Answer {
  status: number
  retryAfter: string | null
  contentType: string | null
  detail?: string
}

async function post(ingest: FaultlineProcess, project: CreatedProject, body: string): Promise<Answer> {
  const response = await fetch(`${ingest.url}/api/${project.projectId}/envelope/?sentry_key=${project.publicKey}&sentry_version=7`, {
    method: 'POST',
    body,
    signal: AbortSignal.timeout(30_000),
  })
  const text = await response.text()
  let detail: string | undefined
  try {
    detail = (JSON.parse(text) as { detail?: string }).detail
  } catch {
    detail = undefined
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), contentType: response.headers.get('content-type'), detail }
}

describe('backpressure', () => {
  it('refuses with 503 and Retry-After past the backlog limit, stays bounded, and recovers when a processor drains the bus', async () => {
    const started = Date.now()
    const project = await createProjectIn(dataDir, 'Backpressure')
    const ingest = await spawnFaultline({ dataDir, env: { ROLE: 'ingest', BUS_MAX_BACKLOG: String(maxBacklog) } })
    bus = await createBus({ sqlitePath: join(dataDir, 'bus.sqlite'), ackWaitMs: 30_000, dedupeWindowMs: 600_000 })

    // 1. Fill the backlog until ingest refuses.
    const acked: string[] = []
    let refusal: Answer | undefined
    for (let round = 0; round < 500 && !refusal; round++) {
      const events = Array.from({ length: 10 }, (_, i) => sentryEvent({ type: 'BacklogError', value: `fill ${i}` }))
      const answers = await Promise.all(events.map((event) => post(ingest, project, envelopeOf([event]))))
      answers.forEach((answer, i) => {
        if (answer.status === 200) acked.push(events[i]!.event_id as string)
        else if (answer.status === 503) refusal ??= answer
        else throw new Error(`unexpected ${answer.status}: ${answer.detail}`)
      })
    }
    expect(refusal, 'ingest never refused').toBeDefined()
    expect(Number(refusal!.retryAfter)).toBeGreaterThan(0)
    expect(refusal!.contentType).toMatch(/^application\/problem\+json/)
    expect(refusal!.detail).toBeTruthy()
    expect(acked.length).toBeGreaterThanOrEqual(maxBacklog)
    // Ingest counts what it admitted since its last backlog reading; a reading taken while some of
    // the 10 requests in flight were not yet published can miss those, and no more.
    expect(acked.length).toBeLessThanOrEqual(maxBacklog + 10)
    expect(await bus.backlog('errors')).toBe(acked.length)

    // 2. Hammer it with ~300 MB of refused requests: its memory must not follow the traffic.
    const rssBefore = ingest.rssBytes()
    let rssPeak = rssBefore
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, ingest.rssBytes())
    }, 50)
    const hammerStatuses = new Map<number, number>()
    const blob = 'm'.repeat(200 * 1024)
    let next = 0
    const hammerCount = 1_500
    try {
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let i = next++; i < hammerCount; i = next++) {
            const answer = await post(ingest, project, envelopeOf([{ ...sentryEvent({ type: 'Hammer', value: String(i) }), extra: { blob } }]))
            hammerStatuses.set(answer.status, (hammerStatuses.get(answer.status) ?? 0) + 1)
            if (answer.status === 503 && !answer.retryAfter) throw new Error('503 without Retry-After')
          }
        }),
      )
    } finally {
      clearInterval(sampler)
    }
    const growthMb = (rssPeak - rssBefore) / 2 ** 20
    console.log(
      `backpressure: ${acked.length} acked before the first 503 (limit ${maxBacklog}); hammer ${[...hammerStatuses].map(([s, n]) => `${s}×${n}`).join(' ')}; ` +
        `ingest RSS ${Math.round(rssBefore / 2 ** 20)} MB → peak ${Math.round(rssPeak / 2 ** 20)} MB (+${growthMb.toFixed(1)} MB) for ${Math.round((hammerCount * blob.length) / 2 ** 20)} MB refused`,
    )
    expect(hammerStatuses.get(503)).toBe(hammerCount)
    expect(await bus.backlog('errors')).toBe(acked.length)
    expect(growthMb).toBeLessThan(150)

    // 3. A processor on the same data directory drains the bus; ingest accepts again.
    const processor = await spawnFaultline({ dataDir, env: { ROLE: 'processor,api', PROCESSOR_FLUSH_MS: '50' } })
    const opened = bus
    await waitUntil('the bus drained by the processor', async () => (await opened.backlog('errors')) === 0, 60_000, 100)
    // Ingest reads the backlog again within seconds of the drain and then accepts.
    await waitUntil('ingest accepting again', async () => (await post(ingest, project, envelopeOf([sentryEvent({ type: 'AfterDrain' })]))).status === 200, 60_000, 100)

    const missing: string[] = []
    for (const eventId of acked) {
      const response = await fetch(`${processor.url}/api/v1/projects/${project.projectId}/events/${eventId}`, { headers: { authorization: `Bearer ${project.apiToken}` } })
      await response.arrayBuffer()
      if (response.status !== 200) missing.push(`${eventId}: ${response.status}`)
    }
    expect(missing).toEqual([])
    await processor.stop()
    await ingest.stop()
    console.log(`backpressure: drained and verified in ${Date.now() - started} ms`)
  }, 300_000)
})
