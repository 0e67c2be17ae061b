/**
 * The security pipeline against real chDB, SQLite metadata and the SQLite bus (one chDB path in
 * this file): idempotent storage on redelivery, geolocation, and detections that two evaluators
 * (as two replicas) running on parts of one burst neither miss nor double.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '@faultline/core/config'
import { createLogger } from '@faultline/core/log'
import { createOrganization, defaultOrganization } from '@faultline/core/accounts'
import { openPlatform, type Platform } from '@faultline/core/platform'
import { createProject } from '@faultline/core/projects'
import { builtInRules, decodeSignalMessage, evaluateRule, insertDetection, openDetectionStores, ruleGroupKey, type SequenceRule, type ThresholdRule } from '@faultline/core/detections'
import { encodeSecurityMessage, normalizeSecurityEvent, securityMessageId, type SecurityEvent } from '@faultline/core/security'
import { candidateValues } from './detection-candidates'
import { DetectionEvaluator } from './detection-evaluator'
import { GeoLocator } from './geo'
import { SecurityConsumer, securityConsumerGroup } from './security-consumer'
import { SecurityEventWriter, type StoredSecurityEvent } from './security-writer'

const dataDir = mkdtempSync(join(tmpdir(), 'fl-security-pipeline-'))
let platform: Platform
let orgId: string
let projectId: string
const geo = GeoLocator.open()

beforeAll(async () => {
  platform = await openPlatform(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error' }), { logger: createLogger('error', {}, () => undefined) })
  orgId = (await defaultOrganization(platform.accounts))._id
  projectId = (await createProject(platform.projects, orgId, 'Security pipeline')).project._id
}, 60_000)

afterAll(async () => {
  await platform?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

function event(action: string, at: number, fields: Record<string, unknown>): SecurityEvent {
  const result = normalizeSecurityEvent({ 'event.action': action, '@timestamp': at, ...fields }, { receivedAt: at, dataset: 'app' })
  if (!result.ok) throw new Error(result.reason)
  return result.event
}

async function storedCount(ids: string[]): Promise<number> {
  const { client, database } = platform.eventStore
  const result = await client.query({
    query: `SELECT count() AS n FROM ${database}.security_events FINAL WHERE project_id = {p:UInt64} AND replaceAll(toString(event_id), '-', '') IN {ids:Array(String)}`,
    query_params: { p: Number(projectId), ids },
    format: 'JSONEachRow',
  })
  return Number((await result.json<{ n: number }>())[0]!.n)
}

describe('SecurityConsumer', () => {
  it('stores each event once, geolocated, when its message is delivered again', async () => {
    const consumer = new SecurityConsumer(platform, { batchSize: 10, flushMs: 10, maxDeliver: 3, geo: () => geo })
    const events = [event('authn_login_fail', Date.now(), { 'source.ip': '8.8.8.8' }), event('authz_fail', Date.now(), { 'source.ip': '10.0.0.1' })]
    const message = { v: 1 as const, projectId, receivedAt: Date.now(), events }
    await platform.bus.publish('security', [{ id: securityMessageId(message), data: encodeSecurityMessage(message) }])
    const [delivery] = await platform.bus.fetch('security', securityConsumerGroup, { max: 10, expiresMs: 1000 })
    await consumer.handleBatch([delivery!])
    await consumer.handleBatch([{ ...delivery!, deliveryCount: 2, ack: async () => undefined }])
    expect(await storedCount(events.map((e) => e.event.id))).toBe(2)
    const { client, database } = platform.eventStore
    const countries = await (await client.query({ query: `SELECT action, geo_country_iso_code AS c FROM ${database}.security_events WHERE project_id = {p:UInt64} ORDER BY action`, query_params: { p: Number(projectId) }, format: 'JSONEachRow' })).json<{ action: string; c: string }>()
    expect(countries).toEqual([{ action: 'authn_login_fail', c: 'US' }, { action: 'authz_fail', c: '' }])
    const minute = await (await client.query({ query: `SELECT action, uniqCombinedMerge(events) AS n FROM ${database}.security_minute WHERE project_id = {p:UInt64} GROUP BY action ORDER BY action`, query_params: { p: Number(projectId) }, format: 'JSONEachRow' })).json<{ action: string; n: number }>()
    expect(minute.map((m) => [m.action, Number(m.n)])).toEqual([['authn_login_fail', 1], ['authz_fail', 1]])
  })

  it('stores an event whose text holds a lone surrogate (a JSON escape ingest accepts) with the rest of its batch', async () => {
    const events = [event('authn_login_success', Date.now(), { message: 'probe \ud800 end', 'user.name': 'half \udfff', 'source.ip': '100.64.9.1' }), event('authz_fail', Date.now(), { message: 'beside it' })]
    const batch = events.map((e) => ({ projectId, receivedAt: Date.now(), event: e, redelivered: false }))
    await new SecurityEventWriter(platform.eventStore).write(batch)
    expect(await storedCount(events.map((e) => e.event.id))).toBe(2)
    // The detections grouping by user.name look the name up in the stored events.
    await new DetectionEvaluator(platform).evaluate(batch)
  })
})

describe('DetectionEvaluator', () => {
  const writer = () => new SecurityConsumer(platform, { batchSize: 10, flushMs: 10, maxDeliver: 3, geo: () => geo })
  async function store(events: SecurityEvent[], project = projectId): Promise<StoredSecurityEvent[]> {
    const stored = events.map((e) => ({ projectId: project, receivedAt: Date.now(), event: e, redelivered: false }))
    const message = { v: 1 as const, projectId: project, receivedAt: Date.now(), events }
    await platform.bus.publish('security', [{ id: securityMessageId(message), data: encodeSecurityMessage(message) }])
    await writer().handleBatch(await platform.bus.fetch('security', securityConsumerGroup, { max: 10, expiresMs: 1000 }))
    return stored
  }
  const burst = (ip: string, n: number) => {
    const t0 = Date.now() - 5_000
    return Array.from({ length: n }, (_, i) => event('authn_login_fail', t0 + i * 100, { 'source.ip': ip, 'user.name': 'victim', attributes: { attempt: i } }))
  }
  async function detectionsFor(ip: string, org = orgId, project = projectId) {
    const stores = await openDetectionStores(platform.metadata)
    return stores.detections.find(org, { ruleGroup: ruleGroupKey(project, 'brute-force-single-ip', JSON.stringify([ip])) })
  }
  async function signals(): Promise<string[]> {
    const messages = await platform.bus.fetch('signals', 'test', { max: 100, expiresMs: 200 })
    await Promise.all(messages.map((m) => m.ack()))
    return messages.map((m) => {
      const decoded = decodeSignalMessage(m.data)
      if (!decoded.ok) throw new Error(decoded.reason)
      return decoded.message.group['source.ip']!
    })
  }

  it('finds a burst split over two batches that neither reaches alone, once, across two replicas', async () => {
    await signals()
    const ip = `203.0.113.${Math.floor(Math.random() * 200)}`
    const events = burst(ip, 12)
    const [a, b] = [new DetectionEvaluator(platform), new DetectionEvaluator(platform)]
    const first = await store(events.slice(0, 6))
    await a.evaluate(first)
    expect(await detectionsFor(ip)).toHaveLength(0)
    const second = await store(events.slice(6))
    await Promise.all([b.evaluate(second), a.evaluate(first), b.evaluate(first)])
    const found = await detectionsFor(ip)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ count: 10, anchorEventId: events[9]!.event.id, signalled: true })
    expect(await signals()).toEqual([ip])
  })

  it('evaluated concurrently by replicas that each stored part of the burst, still finds it once', async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 200)}`
    const events = burst(ip, 20)
    const parts = [await store(events.slice(0, 7)), await store(events.slice(7, 14)), await store(events.slice(14))]
    const replicas = [new DetectionEvaluator(platform), new DetectionEvaluator(platform), new DetectionEvaluator(platform)]
    await Promise.all(parts.map((part, i) => replicas[i]!.evaluate(part)))
    await Promise.all(parts.map((part, i) => replicas[(i + 1) % 3]!.evaluate(part)))
    expect(await detectionsFor(ip)).toHaveLength(1)
    expect(await signals()).toEqual([ip])
  })

  it('finds a burst once when early events of it are stored after a replica already found it on the rest', async () => {
    const ip = `203.0.113.${200 + Math.floor(Math.random() * 50)}`
    const events = burst(ip, 14)
    const rest = await store([...events.slice(0, 2), ...events.slice(4)])
    await new DetectionEvaluator(platform).evaluate(rest)
    const [early] = await detectionsFor(ip)
    expect(early).toMatchObject({ anchorEventId: events[11]!.event.id })
    const late = await store(events.slice(2, 4))
    await new DetectionEvaluator(platform).evaluate(late)
    expect(await detectionsFor(ip)).toHaveLength(1)
    expect(await signals()).toEqual([ip])
  })

  it('signals a detection a crash left unsignalled with the next batch of its group, and a signalled one never again', async () => {
    await signals()
    const ip = `198.51.100.${200 + Math.floor(Math.random() * 50)}`
    const events = burst(ip, 14)
    // A replica stored the burst's first ten and its detection, then died before the signal.
    const first = await store(events.slice(0, 10))
    const brute = builtInRules.find((r) => r.id === 'brute-force-single-ip') as ThresholdRule
    const [found] = evaluateRule(brute, first.map((e) => ({ at: Date.parse(e.event['@timestamp']), event: e.event })), [], projectId).detections
    const { id, ...rest } = found!
    const stores = await openDetectionStores(platform.metadata)
    await insertDetection(stores, orgId, { ...rest, _id: id, projectId, ruleGroup: ruleGroupKey(projectId, brute.id, found!.groupKey), detectedAt: Date.now(), signalled: false })
    await new DetectionEvaluator(platform).evaluate(await store(events.slice(10, 12)))
    expect(await signals()).toEqual([ip])
    expect(await detectionsFor(ip)).toMatchObject([{ _id: id, signalled: true }])
    // Signalled, it blocks the group's later anchors within its suppression: nothing new, nothing sent.
    await new DetectionEvaluator(platform).evaluate(await store(events.slice(12)))
    expect(await signals()).toEqual([])
    expect(await detectionsFor(ip)).toHaveLength(1)
  })

  it('keeps a detection held back by a suppression window from the signals', async () => {
    const stores = await openDetectionStores(platform.metadata)
    await stores.rules.put(orgId, {
      _id: `${projectId}:pentest`,
      projectId,
      ruleId: 'pentest',
      enabled: true,
      updatedAt: Date.now(),
      source: `id: pentest\nkind: suppression\nrules: '*'\nwhere: 'source.ip: 192.0.2.0/24'\nfrom: '${new Date(Date.now() - 3_600_000).toISOString()}'\nuntil: '${new Date(Date.now() + 3_600_000).toISOString()}'`,
    })
    const ip = `192.0.2.${randomUUID().charCodeAt(0) % 200}`
    const stored = await store(burst(ip, 10))
    await new DetectionEvaluator(platform).evaluate(stored)
    expect(await detectionsFor(ip)).toMatchObject([{ suppressedBy: 'pentest', signalled: false }])
    expect(await signals()).toEqual([])
  })

  it('finds the same burst (same event ids) in two organizations\' projects, each once: detection ids are per project', async () => {
    await signals()
    const otherOrg = (await createOrganization(platform.accounts, `Other ${randomUUID()}`))._id
    const otherProject = (await createProject(platform.projects, otherOrg, 'Other security')).project._id
    const ip = `203.0.113.${Math.floor(Math.random() * 200)}`
    const events = burst(ip, 10)
    await new DetectionEvaluator(platform).evaluate(await store(events, otherProject))
    await new DetectionEvaluator(platform).evaluate(await store(events))
    expect(await detectionsFor(ip, otherOrg, otherProject)).toMatchObject([{ signalled: true }])
    expect(await detectionsFor(ip)).toMatchObject([{ signalled: true }])
    expect(await signals()).toEqual([ip, ip])
  })

  it('runs no rules for a project that no longer exists (its rules and detections belonged to its organization)', async () => {
    await signals()
    const gone = burst(`203.0.113.${Math.floor(Math.random() * 200)}`, 12).map((event) => ({ projectId: '999999', receivedAt: Date.now(), event, redelivered: false }))
    await new DetectionEvaluator(platform).evaluate(gone)
    expect(await signals()).toEqual([])
  })
})

describe('candidateValues', () => {
  const rule = (id: string) => builtInRules.find((r) => r.id === id) as ThresholdRule | SequenceRule
  async function stored(events: SecurityEvent[]): Promise<{ from: number; to: number; anchorsFrom: number }> {
    await new SecurityEventWriter(platform.eventStore).write(events.map((e) => ({ projectId, receivedAt: Date.now(), event: e, redelivered: false })))
    return { from: Date.now() - 600_000, to: Date.now() + 1, anchorsFrom: Date.now() - 600_000 }
  }
  const fails = (ip: string, users: number, n: number, t0 = Date.now() - 5_000, user = 'u') =>
    Array.from({ length: n }, (_, i) => event('authn_login_fail', t0 + i * 100, { 'source.ip': ip, 'user.name': `${user}${i % users}` }))

  it('keeps the groups with enough matching stored events, IPv4 and IPv6 alike, and drops the rest', async () => {
    const [a, b, c] = ['100.64.0.77', '100.64.0.78', '2001:db8::77']
    const range = await stored([...fails(a, 1, 10), ...fails(b, 1, 9), ...fails(c, 1, 10)])
    expect(await candidateValues(platform.eventStore, rule('brute-force-single-ip'), { projectId, ...range, values: [a, b, c, '100.64.0.79'] })).toEqual(new Set([a, c]))
  })

  it('counts distinct values for a cardinality rule', async () => {
    const [many, one] = ['100.64.1.77', '100.64.1.78']
    const range = await stored([...fails(many, 10, 10), ...fails(one, 1, 12)])
    expect(await candidateValues(platform.eventStore, rule('password-spraying'), { projectId, ...range, values: [many, one] })).toEqual(new Set([many]))
  })

  it('requires every step of a sequence', async () => {
    const t0 = Date.now() - 10_000
    const range = await stored([...fails('192.0.2.77', 1, 5, t0, 'alice'), ...fails('192.0.2.78', 1, 5, t0, 'bob'), event('authn_login_success', t0 + 1_000, { 'source.ip': '192.0.2.77', 'user.name': 'alice0' })])
    expect(await candidateValues(platform.eventStore, rule('success-after-failures'), { projectId, ...range, values: ['alice0', 'bob0'] })).toEqual(new Set(['alice0']))
  })

  it('drops a group whose every possible anchor a known detection blocks, or lies before the batch', async () => {
    const t0 = Date.now() - 20_000
    const [blocked, free, early, v6] = ['100.64.2.77', '100.64.2.78', '100.64.2.79', '2001:db8::2:77']
    const range = await stored([...fails(blocked, 1, 10, t0), ...fails(free, 1, 10, t0), ...fails(early, 1, 10, t0 - 60_000), ...fails(v6, 1, 10, t0)])
    const brute = rule('brute-force-single-ip')
    const values = [blocked, free, early, v6]
    // Anchors are the failures from the 10th on (t0 + 900 ms); a detection 60 s later blocks them all within its 1 min suppression.
    const known = new Map([[blocked, [t0 + 30_000]], [free, [t0 + 70_000]], [v6, [t0 + 900]]])
    expect(await candidateValues(platform.eventStore, brute, { projectId, ...range, values, anchorsFrom: t0 - 1_000, known })).toEqual(new Set([free]))
    // Without detections every group with ten failures after anchorsFrom can fire.
    expect(await candidateValues(platform.eventStore, brute, { projectId, ...range, values, anchorsFrom: t0 - 1_000 })).toEqual(new Set([blocked, free, v6]))
  })

  it("blocks a sequence only by its last step's anchors", async () => {
    const t0 = Date.now() - 30_000
    const success = (user: string, at: number) => event('authn_login_success', at, { 'source.ip': '192.0.2.90', 'user.name': user })
    const range = await stored([...fails('192.0.2.90', 1, 5, t0, 'carol'), success('carol0', t0 + 1_000), ...fails('192.0.2.91', 1, 5, t0, 'dave'), success('dave0', t0 + 1_000), success('dave0', t0 + 20_000)])
    const sequence = rule('success-after-failures')
    // carol's one success is the known detection's anchor; dave's second success is 19 s after his, within the 5 min suppression too.
    const known = new Map([['carol0', [t0 + 1_000]], ['dave0', [t0 + 1_000]]])
    expect(await candidateValues(platform.eventStore, sequence, { projectId, ...range, values: ['carol0', 'dave0'], anchorsFrom: t0, known })).toEqual(new Set())
    expect(await candidateValues(platform.eventStore, sequence, { projectId, ...range, values: ['carol0', 'dave0'], anchorsFrom: t0, known: new Map([['dave0', [t0 - 290_000]]]) })).toEqual(new Set(['carol0', 'dave0']))
  })
})
