/**
 * Incidents over a running Faultline: declared from an alert group, the timeline writes itself
 * (alerts joining the group, linked issues and their release, the runbook webhook's answer,
 * acknowledgement, status changes, notes), and the summary gives time to acknowledge and to
 * resolve.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendEvents, sentryEvent } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'
import { startNotificationCollector, type NotificationCollector } from './support/notification-collector'
import { orgApi, type OrgApi, applyAlertingYaml } from './support/alerting'

let f: TestFaultline
let collector: NotificationCollector
let org: OrgApi

beforeAll(async () => {
  collector = await startNotificationCollector()
  f = await startFaultline()
  org = await orgApi(f)
  await applyAlertingYaml(
    f,
    `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
receivers:
  - name: hook
    webhook_configs: [{ url: '${collector.webhookUrl('alerts')}' }]
incidents:
  runbook_webhooks: [{ url: '${collector.webhookUrl('runbook')}' }]
rules:
  - { name: incident-new, kind: issue, when: [new] }
`,
  )
}, 60_000)

afterAll(async () => {
  await f?.stop()
  await collector?.close()
})

describe('incidents', () => {
  it('fills its own timeline from declaration to resolution, and reports TTA and TTR', async () => {
    await sendEvents(f.url, f.projectId, f.publicKey, [sentryEvent({ type: 'DatabaseDown', value: 'connection refused', release: 'api@7' })])
    const first = await collector.waitFor('the alert', () => collector.webhooks.find((w) => w.path === '/alerts'))
    const groupId = first.json.alertGroup.id as string

    const declared = await org.call('POST', '/alerting/incidents', { title: 'Database outage', severity: 'critical', commander: 'alice', groupId })
    expect(declared.status).toBe(201)
    const id = declared.body._id as string
    expect(declared.body).toMatchObject({ status: 'investigating', commander: 'alice', groupIds: [groupId] })

    const runbook = await collector.waitFor('the runbook webhook', () => collector.webhooks.find((w) => w.path === '/runbook'))
    expect(runbook.json).toMatchObject({ kind: 'incident.declared', incident: { _id: id } })
    expect(runbook.json.issues[0].issue.title).toBe('DatabaseDown: connection refused')
    expect(runbook.json.issues[0].latestEvent).toMatchObject({ release: 'api@7' })
    expect(runbook.json.issues[0].rootCause).toHaveProperty('suspectRelease')

    // A second issue joins the group: the incident's timeline records it by itself.
    await sendEvents(f.url, f.projectId, f.publicKey, [sentryEvent({ type: 'CacheDown', value: 'timeout' })])
    await f.waitFor(async () => (await org.call('GET', `/alerting/incidents/${id}`)).body.timeline.some((e: any) => e.text === 'Alert firing: CacheDown: timeout'))

    expect((await org.call('POST', `/alerting/groups/${groupId}/acknowledge`)).status).toBe(200)
    expect((await org.call('POST', `/alerting/incidents/${id}/notes`, { text: 'Failing over to the replica' })).status).toBe(201)
    expect((await org.call('POST', `/alerting/incidents/${id}/responders`, { name: 'bob' })).body.responders).toContain('bob')
    expect((await org.call('POST', `/alerting/incidents/${id}/status`, { status: 'resolved', message: 'replica promoted' })).body.status).toBe('resolved')

    const summary = await org.call('GET', `/alerting/incidents/${id}/summary`)
    expect(summary.body.timeToAcknowledgeMs).toBeGreaterThanOrEqual(0)
    expect(summary.body.timeToResolveMs).toBeGreaterThanOrEqual(summary.body.timeToAcknowledgeMs)
    const kinds = summary.body.timeline.map((e: any) => e.kind)
    for (const kind of ['declared', 'alert', 'issue', 'release', 'runbook', 'acknowledged', 'note', 'responder', 'status']) expect(kinds, kind).toContain(kind)
    expect(summary.body.timeline.find((e: any) => e.kind === 'release').text).toContain('api@7')
    expect(summary.body.timeline.find((e: any) => e.kind === 'runbook').text).toContain('answered 200')
  }, 60_000)

  it('answers bad input with a 4xx and a reason', async () => {
    expect((await org.call('POST', '/alerting/incidents', { title: 'x', severity: 'apocalyptic' })).status).toBe(400)
    expect((await org.call('POST', '/alerting/incidents', { title: 'x', severity: 'minor', groupId: 'nope' })).status).toBe(404)
    expect((await org.call('GET', '/alerting/incidents/nope')).status).toBe(404)
    const byHand = await org.call('POST', '/alerting/incidents', { title: 'By hand', severity: 'minor' })
    expect(byHand.status).toBe(201)
    expect((await org.call('POST', `/alerting/incidents/${byHand.body._id}/issues`, { projectId: f.projectId, issueId: '999999' })).status).toBe(404)
    expect((await org.call('POST', `/alerting/incidents/${byHand.body._id}/status`, { status: 'sleeping' })).status).toBe(400)
  })
})
