/**
 * Detections reach the alert router: a brute force sent to a running Faultline becomes a signal,
 * the signal an alert with the detection's labels, routed by `kind="security_detection"` to a
 * webhook receiver.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFaultline, type TestFaultline } from './support/faultline'
import { startNotificationCollector, type NotificationCollector } from './support/notification-collector'
import { applyAlertingYaml } from './support/alerting'

let f: TestFaultline
let collector: NotificationCollector

beforeAll(async () => {
  collector = await startNotificationCollector()
  f = await startFaultline()
  await applyAlertingYaml(
    f,
    `
route:
  receiver: sink
  group_by: [rule]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - matchers: ['kind="security_detection"', 'severity=~"high|critical"']
      receiver: soc
receivers:
  - name: sink
  - name: soc
    webhook_configs:
      - url: ${collector.webhookUrl('soc')}
`,
  )
}, 60_000)

afterAll(async () => {
  await f?.stop()
  await collector?.close()
})

describe('detections as alerts', () => {
  it('routes a brute-force detection to the security receiver with its labels', async () => {
    const now = Date.now()
    const body = Array.from({ length: 10 }, (_, i) => JSON.stringify({ 'event.id': randomUUID(), 'event.action': 'authn_login_fail', '@timestamp': now - 5_000 + i * 100, 'source.ip': '203.0.113.77', 'user.name': 'root' })).join('\n')
    const sent = await fetch(`${f.url}/api/${f.projectId}/security/events/?sentry_key=${f.publicKey}`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body })
    expect(sent.status).toBe(200)
    const hook = await f.waitFor(async () => collector.webhooks.find((w) => w.path === '/soc'))
    const [alert] = hook.json.alerts
    expect(alert.status).toBe('firing')
    expect(alert.labels).toMatchObject({ alertname: 'Brute force from one IP', kind: 'security_detection', rule: 'brute-force-single-ip', severity: 'high', source_ip: '203.0.113.77', project: f.projectId })
    expect(alert.annotations.summary).toContain('10 events for source.ip=203.0.113.77')
  })
})
