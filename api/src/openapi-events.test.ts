/**
 * The response schemas of the routes that read events (issue and event detail, event pages,
 * outcomes, patterns, intelligence, privacy, security investigations, rules and detections) against live answers over stored events. chDB binds one data directory per
 * process, so this file starts its own harness with the event store.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProject } from '@faultline/core/projects'
import { openOutcomes } from '@faultline/core/outcomes'
import { refreshProjectRollups } from '@faultline/core/event-store'
import { openDetectionStores } from '@faultline/core/detections'
import { compactEventId } from '@faultline/core/schema'
import { shapeProblems, type PublishedDocument } from './openapi-conformance'
import { ApiHarness, type Browser } from './testing/api-harness'

let h: ApiHarness
let owner: Browser
let doc: PublishedDocument
let projectId: string
const issueId = '7'
const otherIssueId = '8'
const templateId = '0123456789abcdef'
/** The first issue's events, one a minute back from now (a forecast needs three completed minutes), and one of the other issue. */
const eventIds = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()]
const otherEventId = randomUUID()

function issueDoc(id: string, fingerprint: string, type: string, now: number) {
  return {
    _id: id, projectId, fingerprints: [fingerprint], title: `${type}: connection refused`, culprit: 'connect', type, value: 'connection refused',
    level: 'error', platform: 'node', searchText: `${type.toLowerCase()} connection refused connect`, groupingStrategy: 'stacktrace', status: 'unresolved' as const, substatus: 'new' as const,
    firstSeen: now - 5 * 60_000, lastSeen: now, eventCount: 1, userCount: 1, environments: ['production'], releases: ['api@1.0'], firstRelease: 'api@1.0', lastRelease: 'api@1.0',
  }
}

function eventRow(id: string, issue: string, fingerprint: string, type: string, timestamp: number, release: string) {
  return {
    project_id: Number(projectId), fingerprint, issue_id: issue, timestamp, received_at: timestamp, event_id: id, level: 'error', platform: 'node',
    environment: 'production', release, title: `${type}: connection refused`, message: `connection refused to db-${id.slice(0, 4)}`, user_key: 'u:1',
    tags: { region: 'eu' }, grouping_strategy: 'stacktrace', template_id: templateId, template: 'connection refused to <*>', exception_type: type,
    payload: JSON.stringify({ exception: { values: [{ type, value: 'connection refused', stacktrace: { frames: [{ function: 'connect', module: 'pg/lib/client', inApp: false }] } }] } }),
  }
}

/** Stores two issues with their events, an anomaly score, a detection and an outcome, and refreshes the rollups, as the processor does. */
async function storeIssuesWithEvents(orgId: string): Promise<void> {
  const now = Date.now()
  for (const [id, fingerprint, type] of [[issueId, 'f1', 'DbError'], [otherIssueId, 'f2', 'PoolError']] as const) {
    await h.platform.issues.issues.insert(orgId, issueDoc(id, fingerprint, type, now))
    await h.platform.issues.fingerprints.insert(orgId, { _id: `${projectId}:${fingerprint}`, projectId, fingerprint, issueId: id })
  }
  const values = [
    ...eventIds.map((id, i) => eventRow(id, issueId, 'f1', 'DbError', now - i * 60_000, i < 2 ? 'api@1.1' : 'api@1.0')),
    eventRow(otherEventId, otherIssueId, 'f2', 'PoolError', now - 2 * 60_000, 'api@1.0'),
  ]
  const { client, database } = h.platform.eventStore
  await client.insert({ table: `${database}.error_events`, values, format: 'JSONEachRow' })
  await refreshProjectRollups(h.platform.eventStore, projectId)
  const minute = Math.floor(now / 60_000) * 60
  const drivers = JSON.stringify([{ driver: 'spike', distance: 6.5, p: 0.0001, seasonality: 'none' }])
  await client.insert({ table: `${database}.anomaly_scores`, values: [{ project_id: Number(projectId), series_kind: 'project', series_id: projectId, minute, value: 4, score: 0.99, model_version: 'test', drivers, scored_at: now }], format: 'JSONEachRow' })
  const { detections } = await openDetectionStores(h.platform.metadata)
  await detections.insert(orgId, {
    _id: 'd1', projectId, ruleGroup: `${projectId}:brute-force-single-ip:10.0.0.1`, ruleId: 'brute-force-single-ip', ruleVersion: '0123456789ab', ruleName: 'Brute force from one IP',
    kind: 'threshold', severity: 'high', group: { 'source.ip': '10.0.0.1' }, groupKey: '10.0.0.1', anchorAt: now, anchorEventId: eventIds[0]!.replaceAll('-', ''), firstAt: now - 60_000, lastAt: now,
    count: 12, eventIds: [eventIds[0]!.replaceAll('-', '')], summary: '12 failed logins from 10.0.0.1', detectedAt: now, signalled: true,
  })
  const outcomes = await openOutcomes(h.platform.metadata)
  await outcomes.insert(orgId, { _id: `${projectId}:error:accepted`, projectId, hour: Math.floor(now / 3_600_000) * 3_600_000, category: 'error', outcome: 'accepted', reason: '', quantity: 6 })
}

beforeAll(async () => {
  h = await ApiHarness.start({}, 'http://127.0.0.1:1', true)
  const org = await h.organization('Acme')
  await h.user('olive@acme.test', 'a long passphrase here', org, 'owner')
  owner = h.browser()
  await owner.signIn('olive@acme.test', 'a long passphrase here')
  projectId = (await createProject(h.platform.projects, org._id, 'Shop')).project._id
  await storeIssuesWithEvents(org._id)
  doc = (await h.request('GET', '/openapi.json')).body
}, 120_000)
afterAll(() => h?.close())

describe('OpenAPI response schemas of the event routes', () => {
  it('match what the routes answer over stored events', async () => {
    const project = `/projects/${projectId}`
    const eventId = compactEventId(eventIds[0]!)
    const issue = await owner.request('GET', `${project}/issues/${issueId}`)
    expect(issue.body.latestEvent?.eventId, 'the stored events are read').toBe(eventId)
    expect((await owner.request('GET', `${project}/patterns`)).body.data, 'the stored pattern is read').toHaveLength(1)
    expect((await owner.request('GET', `${project}/security/detections`)).body.data, 'the stored detection is read').toHaveLength(1)
    expect((await owner.request('GET', `${project}/anomalies`)).body.points[0]?.drivers, 'the stored score is read').toHaveLength(1)
    expect((await owner.request('GET', `${project}/issues/${issueId}/similar?minScore=-1`)).body.similar[0]?.issueId, 'the other issue is compared').toBe(otherIssueId)
    const investigation = await owner.request('POST', `${project}/security/investigations`, { title: 'Credential stuffing' })
    const [rule] = (await owner.request('GET', `${project}/security/rules`)).body.data
    const erasure = await owner.request('POST', `${project}/privacy/erasures`, { email: 'nobody@example.test' })
    const problems = await shapeProblems(h.app, doc, (method, path, body) => owner.request(method, path, body), [
      ['GET', `${project}/issues/${issueId}`],
      ['GET', `${project}/issues/${issueId}/events?limit=1`],
      ['GET', `${project}/events/${eventId}`],
      ['GET', `${project}/stats/outcomes`],
      ['GET', `${project}/patterns?stats=24h`],
      ['GET', `${project}/patterns/${templateId}/events`],
      ['GET', `${project}/events/${eventId}/pattern`],
      ['GET', `${project}/anomalies`],
      ['GET', `${project}/issues/${issueId}/similar?minScore=-1`],
      ['GET', `${project}/issue-clusters?threshold=0.1`],
      ['GET', `${project}/forecast?threshold=1`],
      ['POST', `${project}/backtest`, { csv: backtestCsv(), sensitivity: 'high' }],
      ['POST', `${project}/backtest`, { series: 'project' }],
      ['GET', `${project}/issues/${issueId}/root-cause`],
      ['GET', `${project}/privacy`],
      ['PUT', `${project}/privacy`, { settings: { ipAddresses: 'remove', customRules: [{ id: 'card', keys: { exact: ['card'] } }] }, expectedVersion: 0 }],
      ['GET', `${project}/privacy/history`],
      ['POST', `${project}/privacy/erasures`, { userId: 'nobody' }],
      ['GET', `${project}/privacy/erasures`],
      ['GET', `${project}/privacy/erasures/${erasure.body.id}`],
      ['POST', `${project}/security/investigations`, { title: 'Scan from one address' }],
      ['PATCH', `${project}/security/investigations/${investigation.body._id}`, { note: 'blocked at the edge', pin: [eventId] }],
      ['GET', `${project}/security/investigations/${investigation.body._id}`],
      ['GET', `${project}/security/investigations`],
      ['POST', `${project}/security/saved-searches`, { name: 'failed logins', query: 'event.severity >= high', columns: [] }],
      ['GET', `${project}/security/saved-searches`],
      ['GET', `${project}/security/rules`],
      ['GET', `${project}/security/detections`],
      ['PUT', `${project}/security/rules/${rule.id}`, { source: rule.source }],
      ['PATCH', `${project}/security/rules/${rule.id}`, { enabled: false }],
    ])
    await erasuresFinished(project)
    expect(problems).toEqual([])
  }, 60_000)
})

/** A day of minutes, flat with a burst near the end: the backtest finds a window. */
function backtestCsv(): string {
  const start = Date.UTC(2026, 0, 1)
  return Array.from({ length: 1440 }, (_, i) => `${start + i * 60_000},${i >= 1400 && i < 1405 ? 80 : 3 + (i % 3)}`).join('\n')
}

/** Waits (with a deadline that fails loudly) until no erasure of the project is running, so none outlives the harness. */
async function erasuresFinished(project: string): Promise<void> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const { body } = await owner.request('GET', `${project}/privacy/erasures`)
    if (body.data.every((e: { status: string }) => e.status !== 'running')) return
    if (Date.now() > deadline) throw new Error(`erasures still running: ${JSON.stringify(body.data)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
