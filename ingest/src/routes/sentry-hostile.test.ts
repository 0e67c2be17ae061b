/**
 * Ingest against the attacks of issue 8: conflicting credentials, bodies sent to be read before a
 * 401, bodies that trickle, envelopes of many huge unknown item types, rate limits charged for
 * refused events, and readiness while the backlog is full.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { openOutcomes } from '@faultline/core/outcomes'
import type { ProjectKeyDoc } from '@faultline/core/projects'
import { envelope, errorEvent, openIngestHarness, type IngestHarness } from '../testing/ingest-harness'

let h: IngestHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

async function open(env: Record<string, string> = {}): Promise<{ h: IngestHarness; key: ProjectKeyDoc }> {
  h = await openIngestHarness(env)
  return { h, key: (await h.createProject('Hostile')).key }
}

/** A body that sends `first` (if any) and then nothing more, ever; `pulls` counts reads of it. */
function stalledBody(first?: string): { stream: ReadableStream<Uint8Array>; pulls: () => number } {
  let pulls = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls++
      if (pulls === 1 && first !== undefined) controller.enqueue(new TextEncoder().encode(first))
      else return new Promise<void>(() => undefined)
    },
  })
  return { stream, pulls: () => pulls }
}

describe('credentials', () => {
  it('refuses a request whose headers and envelope DSN name different keys, even both valid', async () => {
    const { h, key } = await open()
    const second = (await h.createProject('Second')).key
    const sameProjectKey = { ...second, _id: 'ab'.repeat(16), projectId: key.projectId }
    await h.platform.projects.keys.put(sameProjectKey)
    const p = key.projectId
    const withDsn = (publicKey: string, project = p) => envelope([{ type: 'event', payload: errorEvent() }], { dsn: `http://${publicKey}@localhost/${project}` })

    const conflicting = await h.post(`/api/${p}/envelope/?sentry_key=${key._id}`, withDsn(sameProjectKey._id))
    expect(conflicting.status).toBe(401)
    expect((await conflicting.json()).detail).toMatch(/conflicting project keys/)
    const viaHeader = await h.post(`/api/${p}/envelope/`, withDsn(sameProjectKey._id), { 'x-sentry-auth': `Sentry sentry_key=${key._id}` })
    expect(viaHeader.status).toBe(401)
    expect((await h.post(`/api/${p}/envelope/?sentry_key=${key._id}`, withDsn(key._id, '999'))).status).toBe(403)
    expect((await h.post(`/api/${p}/envelope/?sentry_key=${key._id}`, withDsn(key._id))).status).toBe(200)
    expect(await h.drainBus()).toHaveLength(1)
  })

  it('answers 401 before reading the body when the credentials outside it are wrong or there are none for a store request', async () => {
    const { h, key } = await open()
    const p = key.projectId
    const attempts: [string, Record<string, string>][] = [
      [`/api/${p}/envelope/?sentry_key=not-hex`, {}],
      [`/api/${p}/envelope/`, { 'x-sentry-auth': 'Sentry sentry_key=' + 'k'.repeat(5000) }],
      [`/api/${p}/envelope/?sentry_key=${'0'.repeat(32)}`, {}],
      [`/api/${p}/store/`, {}],
    ]
    for (const [path, headers] of attempts) {
      const body = stalledBody()
      const response = await h.post(path, body.stream, headers)
      expect(response.status, path).toBe(401)
      expect(body.pulls(), path).toBeLessThanOrEqual(1)
    }
  })
})

describe('slow bodies', () => {
  it('answers 408 to a body that stops arriving, once the grace has passed', async () => {
    const { h, key } = await open({ HTTP_MIN_BODY_BYTES_PER_SECOND: '1000', HTTP_HEADERS_TIMEOUT_MS: '1000' })
    const body = stalledBody('{"event_id":')
    const response = await h.post(`/api/${key.projectId}/envelope/?sentry_key=${key._id}`, body.stream)
    expect(response.status).toBe(408)
    expect((await response.json()).detail).toMatch(/slower than 1000 bytes per second/)
  })
})

describe('item limits and outcomes', () => {
  it('counts unknown item types under one bounded reason and charges every item to the rate limit', async () => {
    const { h, key } = await open({ KEY_RATE_LIMIT_PER_MINUTE: '1000' })
    const url = `/api/${key.projectId}/envelope/?sentry_key=${key._id}`
    let serial = 0
    const junk = () =>
      envelope(Array.from({ length: 300 }, () => ({ type: `${serial++}${'T'.repeat(5_000)}`, payload: {} })).concat([{ type: 'constructor', payload: {} }, { type: '__proto__', payload: {} }]))
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await h.post(url, junk())).status)
    // 302 items an envelope: the fourth passes the 1000-item limit.
    expect(statuses).toEqual([200, 200, 200, 429, 429])
    await h.tier.close()
    const outcomes = await (await openOutcomes(h.platform.metadata)).find(key.orgId, { projectId: key.projectId })
    expect(outcomes.map((o) => `${o.category} ${o.outcome} ${o.reason} ${o.quantity}`).sort()).toEqual(['default filtered no_processor:unknown 906', 'default rate_limited key_rate_limit 604'])
  })

  it('counts client-report discards only under known categories and reasons', async () => {
    const { h, key } = await open()
    const discarded = [
      { reason: 'queue_overflow', category: 'error', quantity: 2 },
      { reason: 'x'.repeat(60), category: 'error', quantity: 1 },
      { reason: 'sample_rate', category: 'constructor', quantity: 4 },
    ]
    const response = await h.post(`/api/${key.projectId}/envelope/?sentry_key=${key._id}`, envelope([{ type: 'client_report', payload: { discarded_events: discarded } }]))
    expect(response.status).toBe(200)
    await h.tier.close()
    const outcomes = await (await openOutcomes(h.platform.metadata)).find(key.orgId, { projectId: key.projectId })
    expect(outcomes.map((o) => `${o.category} ${o.reason} ${o.quantity}`).sort()).toEqual(['default sample_rate 4', 'error other 1', 'error queue_overflow 2'])
  })
})

describe('backpressure', () => {
  it('does not charge the rate limit for events refused while the backlog is full', async () => {
    const { h, key } = await open({ BUS_MAX_BACKLOG: '2', KEY_RATE_LIMIT_PER_MINUTE: '4' })
    const send = async () => (await h.post(`/api/${key.projectId}/envelope/?sentry_key=${key._id}`, envelope([{ type: 'event', payload: errorEvent() }]))).status
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push(await send())
    expect(statuses).toEqual([200, 200, 503, 503, 503, 503])
    expect(await h.drainBus()).toHaveLength(2)
    // Two of the four per minute are left: the refused events used none. The reading of the
    // drained backlog refreshes in the background, so a send may still meet the old one (503).
    const untilAdmitted = async () => {
      const deadline = Date.now() + 60_000
      for (;;) {
        const status = await send()
        if (status !== 503 || Date.now() > deadline) return status
      }
    }
    expect([await untilAdmitted(), await untilAdmitted()]).toEqual([200, 200])
    expect(await h.drainBus()).toHaveLength(2)
    expect(await untilAdmitted()).toBe(429)
  })

  it('is not ready while the backlog is full, and ready again once it drains', async () => {
    const { h, key } = await open({ BUS_MAX_BACKLOG: '2' })
    expect((await h.app.request('/readyz')).status).toBe(200)
    for (let i = 0; i < 2; i++) {
      expect((await h.post(`/api/${key.projectId}/envelope/?sentry_key=${key._id}`, envelope([{ type: 'event', payload: errorEvent() }]))).status).toBe(200)
    }
    const full = await h.app.request('/readyz')
    expect(full.status).toBe(503)
    expect((await full.json()).failures.ingest).toMatch(/BUS_MAX_BACKLOG/)
    await h.drainBus()
    const deadline = Date.now() + 60_000
    let status = 503
    while (status !== 200 && Date.now() < deadline) status = (await h.app.request('/readyz')).status
    expect(status).toBe(200)
  })
})
