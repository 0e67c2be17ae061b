/**
 * The response schemas of the routes that read events (issue and event detail, event pages,
 * outcomes, patterns) against live answers over stored events. chDB binds one data directory per
 * process, so this file starts its own harness with the event store.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProject } from '@faultline/core/projects'
import { openOutcomes } from '@faultline/core/outcomes'
import { refreshProjectRollups } from '@faultline/core/event-store'
import { compactEventId } from '@faultline/core/schema'
import { shapeProblems, type PublishedDocument } from './openapi-conformance'
import { ApiHarness, type Browser } from './testing/api-harness'

let h: ApiHarness
let owner: Browser
let doc: PublishedDocument
let projectId: string
const issueId = '7'
const templateId = '0123456789abcdef'
const eventIds = [randomUUID(), randomUUID()]

/** Stores an issue and two of its events, and refreshes the rollups, as the processor's writer does. */
async function storeIssueWithEvents(orgId: string): Promise<void> {
  const now = Date.now()
  const fingerprint = 'f1'
  await h.platform.issues.issues.insert(orgId, {
    _id: issueId, projectId, fingerprints: [fingerprint], title: 'DbError: connection refused', culprit: 'connect', type: 'DbError', value: 'connection refused',
    level: 'error', platform: 'node', searchText: 'dberror connection refused connect', groupingStrategy: 'stacktrace', status: 'unresolved', substatus: 'new',
    firstSeen: now - 60_000, lastSeen: now, eventCount: 2, userCount: 1, environments: ['production'], releases: ['api@1.0'], firstRelease: 'api@1.0', lastRelease: 'api@1.0',
  })
  await h.platform.issues.fingerprints.insert(orgId, { _id: `${projectId}:${fingerprint}`, projectId, fingerprint, issueId })
  const values = eventIds.map((id, i) => ({
    project_id: Number(projectId), fingerprint, issue_id: issueId, timestamp: now - i * 60_000, received_at: now, event_id: id, level: 'error', platform: 'node',
    environment: 'production', release: 'api@1.0', title: 'DbError: connection refused', message: `connection refused to db-${i}`, user_key: 'u:1',
    tags: { region: 'eu' }, grouping_strategy: 'stacktrace', template_id: templateId, template: 'connection refused to <*>',
    payload: JSON.stringify({ exception: { values: [{ type: 'DbError', value: 'connection refused' }] } }),
  }))
  const { client, database } = h.platform.eventStore
  await client.insert({ table: `${database}.error_events`, values, format: 'JSONEachRow' })
  await refreshProjectRollups(h.platform.eventStore, projectId)
  const outcomes = await openOutcomes(h.platform.metadata)
  await outcomes.insert(orgId, { _id: `${projectId}:error:accepted`, projectId, hour: Math.floor(now / 3_600_000) * 3_600_000, category: 'error', outcome: 'accepted', reason: '', quantity: 2 })
}

beforeAll(async () => {
  h = await ApiHarness.start({}, 'http://127.0.0.1:1', true)
  const org = await h.organization('Acme')
  await h.user('olive@acme.test', 'a long passphrase here', org, 'owner')
  owner = h.browser()
  await owner.signIn('olive@acme.test', 'a long passphrase here')
  projectId = (await createProject(h.platform.projects, org._id, 'Shop')).project._id
  await storeIssueWithEvents(org._id)
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
    const problems = await shapeProblems(h.app, doc, (method, path, body) => owner.request(method, path, body), [
      ['GET', `${project}/issues/${issueId}`],
      ['GET', `${project}/issues/${issueId}/events?limit=1`],
      ['GET', `${project}/events/${eventId}`],
      ['GET', `${project}/stats/outcomes`],
      ['GET', `${project}/patterns?stats=24h`],
      ['GET', `${project}/patterns/${templateId}/events`],
      ['GET', `${project}/events/${eventId}/pattern`],
    ])
    expect(problems).toEqual([])
  }, 60_000)
})
