/**
 * The response schemas of the alerting routes (configuration, alert groups, rule preview, on-call,
 * route test, incidents) against live answers: a configuration applied through the API, an alert
 * group stored as the dispatcher stores one, an incident declared from it. Rule previews read the
 * event store, and chDB binds one data directory per process, so this file starts its own harness.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openAlertingStores } from '@faultline/alerting'
import { createProject } from '@faultline/core/projects'
import { responses } from './openapi-schemas'
import { shapeProblems, type PublishedDocument } from './openapi-conformance'
import { ApiHarness, type Browser } from './testing/api-harness'

const issueId = '42'
let h: ApiHarness
let owner: Browser
let doc: PublishedDocument
let orgId: string
let projectId: string

const config = `
route:
  receiver: pager
  group_by: [alertname]
receivers:
  - name: pager
    webhook_configs: [{ url: 'http://127.0.0.1:1/hook' }]
users:
  - { name: alice, email: alice@acme.test }
schedules:
  - name: primary
    rotations: [{ users: [alice], start: '2020-01-01T00:00', shift: 1w }]
rules:
  - { name: new-issues, kind: issue, when: [new] }
`

beforeAll(async () => {
  h = await ApiHarness.start({}, 'http://127.0.0.1:1', true)
  const org = await h.organization('Acme')
  orgId = org._id
  await h.user('olive@acme.test', 'a long passphrase here', org, 'owner')
  owner = h.browser()
  await owner.signIn('olive@acme.test', 'a long passphrase here')
  projectId = (await createProject(h.platform.projects, orgId, 'Shop')).project._id
  const now = Date.now()
  await h.platform.issues.issues.insert(orgId, {
    _id: issueId, projectId, fingerprints: ['f1'], title: 'DbError: connection refused', culprit: 'connect', type: 'DbError', value: 'connection refused', level: 'error', platform: 'node',
    searchText: 'dberror connection refused', groupingStrategy: 'stacktrace', status: 'unresolved', substatus: 'new', firstSeen: now, lastSeen: now, eventCount: 1, userCount: 1,
    environments: ['production'], releases: ['api@1.0'], firstRelease: 'api@1.0', lastRelease: 'api@1.0',
  })
  doc = (await h.request('GET', '/openapi.json')).body
}, 120_000)
afterAll(() => h?.close())

/** Stores an alert group of the organization as the dispatcher does on a flush; answers its id. */
async function storeGroup(): Promise<string> {
  const stores = await openAlertingStores(h.platform.metadata)
  const seen = { groupKey: '{}:{alertname="new-issues"}', receiver: 'pager', labels: { alertname: 'new-issues' }, title: 'New issue: DbError', firing: ['a1'], issues: [{ projectId, issueId }], allMuted: false }
  return (await stores.groups.observe(orgId, seen, Date.now())).doc._id
}

describe('OpenAPI response schemas of the alerting routes', () => {
  it('match what the routes answer over an applied configuration, an alert group and an incident', async () => {
    const base = `/orgs/${orgId}/alerting`
    const groupId = await storeGroup()
    const before = await shapeProblems(h.app, doc, (method, path, body) => owner.request(method, path, body), [
      ['GET', `${base}/config`],
      ['POST', `${base}/config/preview`, { yaml: config }],
    ])
    expect((await owner.request('PUT', `${base}/config?revision=0`, { yaml: config })).status, 'the configuration is applied').toBe(200)
    const declared = await owner.request('POST', `${base}/incidents`, { title: 'Checkout down', severity: 'major', groupId })
    expect(declared.status, 'the incident is declared from the group').toBe(201)
    const incident = `${base}/incidents/${declared.body._id}`
    const problems = await shapeProblems(h.app, doc, (method, path, body) => owner.request(method, path, body), [
      ['GET', `${base}/config`],
      ['PUT', `${base}/config?revision=1`, { yaml: `${config}  - { name: regressions, kind: issue, when: [regression] }\n` }],
      ['GET', `${base}/groups`],
      ['GET', `${base}/groups/${groupId}`],
      ['POST', `${base}/groups/${groupId}/acknowledge`],
      ['POST', `${base}/groups/${groupId}/silence`, { minutes: 30 }],
      ['POST', `${base}/groups/${groupId}/resolve`],
      ['POST', `${base}/rules/preview`, { rule: { name: 'new-issues', kind: 'issue', when: ['new'] } }],
      ['POST', `${base}/rules/preview`, { rule: { name: 'rate', kind: 'metric', project: projectId, condition: { type: 'threshold', above: 1 } } }],
      ['GET', `${base}/schedules/primary/oncall`],
      ['POST', `${base}/routes/test`, { labels: { alertname: 'new-issues' } }],
      ['GET', `${base}/schemas/notification-v1.json`],
      ['POST', `${base}/incidents`, { title: 'Payments slow', severity: 'minor' }],
      ['GET', `${base}/incidents`],
      ['POST', `${incident}/acknowledge`],
      ['POST', `${incident}/notes`, { text: 'Rolled back api@1.0' }],
      ['POST', `${incident}/responders`, { name: 'bob', role: 'commander' }],
      ['POST', `${incident}/issues`, { projectId, issueId }],
      ['POST', `${incident}/status`, { status: 'resolved', message: 'fixed' }],
      ['GET', incident],
      ['GET', `${incident}/summary`],
    ])
    expect([...before, ...problems]).toEqual([])
    const detail = await owner.request('GET', incident)
    expect(detail.body.timeline.map((e: { kind: string }) => e.kind), 'the timeline holds what was done').toEqual(expect.arrayContaining(['alert', 'acknowledged', 'note', 'responder', 'status']))
  }, 60_000)

  it('publish the problems of a refused configuration with their lines', async () => {
    const refused = await owner.request('POST', `/orgs/${orgId}/alerting/config/preview`, { yaml: config.replace('receiver: pager\n  group_by', 'receiver: nobody\n  group_by') })
    expect(refused.status).toBe(422)
    const published = doc.paths['/orgs/{orgId}/alerting/config/preview']!.post!.responses['422']!.content!['application/problem+json']!.schema.$ref
    expect(published).toBe('#/components/schemas/AlertingConfigProblems')
    const parsed = responses.AlertingConfigProblems.safeParse(refused.body)
    expect(parsed.error?.message).toBeUndefined()
    expect(refused.body.problems[0].line).toBe(3)
  })
})
