/**
 * Alerting acceptance, end to end: events through ingest and the processor become issue alerts
 * that reach a Slack-compatible API, a real SMTP server and a webhook, with Alertmanager's
 * grouping and timing. Arrival is awaited with deadlines that fail loudly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendEvents, sentryEvent, type EventShape } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'
import { startNotificationCollector, type NotificationCollector } from './support/notification-collector'
import { applyAlertingYaml, setAlertingSecret } from './support/alerting'

let f: TestFaultline
let collector: NotificationCollector

beforeAll(async () => {
  collector = await startNotificationCollector()
  f = await startFaultline()
  await setAlertingSecret(f, 'slack-bot', 'xoxb-test-token')
  await applyAlertingYaml(
    f,
    `
route:
  receiver: everyone
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: everyone
    slack_configs:
      - channel: '#alerts'
        token_secret: slack-bot
        api_url: ${collector.slackApiUrl}
    email_configs:
      - to: [oncall@example.com]
        from: faultline@example.com
        smarthost: ${collector.smtpHost}
    webhook_configs:
      - url: ${collector.webhookUrl('all')}
rules:
  - name: new-errors
    kind: issue
    when: [new]
    filters: { levels: [error] }
    labels: { severity: critical }
`,
  )
}, 60_000)

afterAll(async () => {
  await f?.stop()
  await collector?.close()
})

async function send(shape: EventShape): Promise<number> {
  const sentAt = Date.now()
  expect(await sendEvents(f.url, f.projectId, f.publicKey, [sentryEvent(shape)])).toEqual([200])
  return sentAt
}

describe('alerting receivers', () => {
  it('tells Slack (one message, later updated in place), email and a webhook about new issues', async () => {
    const sentAt = await send({ type: 'CheckoutError', value: 'card declined', release: 'shop@2', tags: { region: 'eu' } })
    const hook = await collector.waitFor('the first webhook', () => collector.webhooks[0])
    expect(hook.at - sentAt).toBeGreaterThanOrEqual(1_000)
    expect(hook.json).toMatchObject({
      version: '1',
      receiver: 'everyone',
      status: 'firing',
      groupLabels: { alertname: 'new-errors' },
      alerts: [{ status: 'firing', labels: { alertname: 'new-errors', severity: 'critical', project: f.projectId }, issue: { title: 'CheckoutError: card declined', release: 'shop@2' } }],
    })
    const post = await collector.waitFor('the Slack message', () => collector.slack.find((c) => c.method === 'chat.postMessage'))
    expect(post.token).toBe('xoxb-test-token')
    expect(post.args.channel).toBe('#alerts')
    expect(JSON.stringify(post.args.blocks)).toContain('CheckoutError: card declined')
    const mail = await collector.waitFor('the email', () => collector.mails[0])
    expect(mail.to).toEqual(['oncall@example.com'])
    expect(mail.subject).toContain('CheckoutError: card declined')
    expect(mail.raw).toContain('text/html')
    expect(mail.raw).toContain('text/plain')

    await send({ type: 'PaymentError', value: 'gateway timeout' })
    const second = await collector.waitFor('the second webhook', () => collector.webhooks[1])
    expect(second.json.alerts.map((a: any) => a.issue.title).sort()).toEqual(['CheckoutError: card declined', 'PaymentError: gateway timeout'])
    const update = await collector.waitFor('the Slack update', () => collector.slack.find((c) => c.method === 'chat.update'))
    expect(update.args.ts).toBe(post.ts)
    const reply = await collector.waitFor('the thread reply', () => collector.slack.find((c) => c.method === 'chat.postMessage' && c.args.thread_ts === post.ts))
    expect(reply.args.text).toContain('PaymentError')
    // Exactly one top-level Slack message for the group across its updates.
    expect(collector.slack.filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts)).toHaveLength(1)
    const secondMail = await collector.waitFor('the second email', () => collector.mails[1])
    expect(secondMail.raw).toContain('PaymentError')
  }, 60_000)
})
