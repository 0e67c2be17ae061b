/**
 * Escalation and on-call over a running Faultline: an unacknowledged alert group pages the
 * on-call of a schedule in its Slack thread, then escalates to the next step; acknowledging from
 * the Slack button stops the escalation; the schedule's iCal feed and on-call answer follow the
 * configuration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { slackSignature } from '@faultline/alerting'
import { processorTierOf } from '@faultline/processor'
import { sendEvents, sentryEvent } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'
import { startNotificationCollector, type NotificationCollector } from './support/notification-collector'
import { orgApi, type OrgApi, applyAlertingYaml, setAlertingSecret } from './support/alerting'
import { waitUntil } from './support/wait'

let f: TestFaultline
let collector: NotificationCollector
let org: OrgApi
const signingSecret = 'escalation-signing-secret'

beforeAll(async () => {
  collector = await startNotificationCollector()
  f = await startFaultline()
  org = await orgApi(f)
  await setAlertingSecret(f, 'slack-bot', 'xoxb-escalation')
  await setAlertingSecret(f, 'slack-signing-secret', signingSecret)
  await applyAlertingYaml(
    f,
    `
route:
  receiver: team-slack
  group_by: [issue]
  group_wait: 0s
  group_interval: 1s
  escalation_policy: page
receivers:
  - name: team-slack
    slack_configs: [{ channel: '#team', token_secret: slack-bot, api_url: '${collector.slackApiUrl}' }]
  - name: pager
    webhook_configs: [{ url: '${collector.webhookUrl('pager')}' }]
users:
  - { name: alice, slack: U0ALICE, email: alice@example.com }
  - { name: bob, email: bob@example.com }
schedules:
  - name: primary
    rotations: [{ users: [alice], start: '2020-01-01T00:00', shift: 1w }]
escalation_policies:
  - name: page
    steps:
      - { wait: 0s, receiver: team-slack, schedule: primary }
      - { wait: 3s, receiver: pager, users: [bob] }
rules:
  - { name: escalate-new, kind: issue, when: [new] }
`,
  )
}, 60_000)

afterAll(async () => {
  await f?.stop()
  await collector?.close()
})

async function press(actionId: string, group: string): Promise<number> {
  const body = new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', user: { id: 'U0ALICE', username: 'alice' }, actions: [{ action_id: actionId, value: JSON.stringify({ org: org.orgId, group }) }] }) }).toString()
  const timestamp = String(Math.floor(Date.now() / 1000))
  const response = await fetch(`${f.url}/api/v1/orgs/${org.orgId}/integrations/slack/interactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': slackSignature(signingSecret, timestamp, body) },
    body,
  })
  return response.status
}

const messageOf = (type: string) => collector.slack.find((c) => c.method === 'chat.postMessage' && !c.args.thread_ts && JSON.stringify(c.args.blocks).includes(type))
const groupOf = (post: { args: Record<string, any> }) => JSON.parse(post.args.blocks.flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id === 'faultline_resolve').value).group as string

describe('escalation', () => {
  it('pages the on-call in the thread, then escalates to the next step when nobody acknowledges', async () => {
    await sendEvents(f.url, f.projectId, f.publicKey, [sentryEvent({ type: 'Unanswered' })])
    const post = await collector.waitFor('the Slack message', () => messageOf('Unanswered'))
    const page = await collector.waitFor('the on-call page in the thread', () => collector.slack.find((c) => c.args.thread_ts === post.ts && String(c.args.text).includes('Escalation')))
    expect(page.args.text).toContain('<@U0ALICE>')
    const escalated = await collector.waitFor('the second step', () => collector.webhooks.find((w) => w.path === '/pager' && w.json.alertGroup.id === groupOf(post)))
    expect(escalated.at - post.at).toBeGreaterThanOrEqual(2_900)
    expect(escalated.json.escalation).toMatchObject({ policy: 'page', step: 1, reminder: false, targets: [{ name: 'bob', email: 'bob@example.com' }] })
    expect(collector.slack.filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts && JSON.stringify(c.args.blocks ?? '').includes('Unanswered'))).toHaveLength(1)
  })

  it('stops escalating once acknowledged from Slack', async () => {
    await sendEvents(f.url, f.projectId, f.publicKey, [sentryEvent({ type: 'Answered' })])
    const post = await collector.waitFor('the Slack message', () => messageOf('Answered'))
    const thread = () => collector.slack.filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === post.ts)
    await collector.waitFor('the on-call page in the thread', () => thread().length > 0)
    expect(await press('faultline_acknowledge', groupOf(post))).toBe(200)
    // An action still running at 2.5 s finishes after the answer (a loaded machine): the witness comes after it.
    await waitUntil('the group acknowledged', async () => (await org.call('GET', `/alerting/groups/${groupOf(post)}`)).body.state === 'acknowledged')
    // A witness group, formed after the acknowledged one, is left unanswered: the escalation run
    // that pages it is due for the acknowledged group too. Stopping the service waits for that
    // run to finish (runs never overlap); then nothing may have been sent for the acknowledged one.
    await sendEvents(f.url, f.projectId, f.publicKey, [sentryEvent({ type: 'Witness' })])
    const witness = await collector.waitFor('the Slack message of the witness', () => messageOf('Witness'))
    await collector.waitFor('the witness paged', () => collector.webhooks.find((w) => w.path === '/pager' && w.json.alertGroup.id === groupOf(witness)))
    const service = processorTierOf(f.server.platform)!.alerting
    await service.stop()
    service.start()
    expect(collector.webhooks.filter((w) => w.path === '/pager' && w.json.alertGroup.id === groupOf(post))).toEqual([])
    // Nor any page or reminder in its thread but the first page (no reminders were configured).
    expect(thread().map((c) => String(c.args.text)).filter((text) => /Escalation|Still unresolved/.test(text))).toEqual([expect.stringContaining('Escalation page, step 1')])
    expect((await org.call('GET', `/alerting/groups/${groupOf(post)}`)).body.state).toBe('acknowledged')
  })

  it('answers who is on call and serves the schedule as iCal', async () => {
    expect((await org.call('GET', '/alerting/schedules/primary/oncall')).body.user).toBe('alice')
    const response = await fetch(`${f.url}/api/v1/orgs/${org.orgId}/alerting/schedules/primary/ical?days=7`, { headers: { authorization: `Bearer ${org.token}` } })
    expect(response.headers.get('content-type')).toContain('text/calendar')
    const ical = await response.text()
    expect(ical).toContain('SUMMARY:alice on call (primary)')
    expect((await org.call('GET', '/alerting/schedules/nobody/oncall')).status).toBe(404)
  })

  it('serves a calendar app the schedule at a secret feed address, without credentials, until replaced or turned off', async () => {
    const created = await org.call('POST', '/alerting/schedules/primary/ical-feed')
    expect(created.status).toBe(201)
    const { url } = created.body
    expect(url).toMatch(new RegExp(`^${f.url}/api/v1/orgs/${org.orgId}/alerting/ical-feeds/[A-Za-z0-9_-]{32}$`))
    const feed = await fetch(`${url}?days=7`)
    expect(feed.status).toBe(200)
    expect(feed.headers.get('content-type')).toContain('text/calendar')
    expect(await feed.text()).toContain('SUMMARY:alice on call (primary)')
    // Another organization's path with the same token finds nothing.
    expect((await fetch(url.replace(`/orgs/${org.orgId}/`, '/orgs/999/'))).status).toBe(404)
    const replaced = (await org.call('POST', '/alerting/schedules/primary/ical-feed')).body.url
    expect((await fetch(url)).status).toBe(404)
    expect((await fetch(replaced)).status).toBe(200)
    expect((await org.call('DELETE', '/alerting/schedules/primary/ical-feed')).status).toBe(204)
    expect((await fetch(replaced)).status).toBe(404)
    expect((await org.call('POST', '/alerting/schedules/nobody/ical-feed')).status).toBe(404)
  })
})
