/**
 * Metric and frequency rules end to end: a project's error rate over a threshold and an issue
 * seen more than N times in a window become alerts at the next evaluation (every 2 s here), and
 * the 7-day preview replays a rule over stored data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendEvents, sentryEvent, type EventShape } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'
import { startNotificationCollector, type NotificationCollector } from './support/notification-collector'
import { orgApi, type OrgApi, applyAlertingYaml } from './support/alerting'
import { processorTierOf } from '@faultline/processor'

let f: TestFaultline
let collector: NotificationCollector
let org: OrgApi

beforeAll(async () => {
  collector = await startNotificationCollector()
  f = await startFaultline()
  org = await orgApi(f)
}, 60_000)

afterAll(async () => {
  await f?.stop()
  await collector?.close()
})

async function send(shapes: EventShape[]): Promise<void> {
  const statuses = await sendEvents(f.url, f.projectId, f.publicKey, shapes.map((shape) => sentryEvent(shape)))
  expect(statuses.every((s) => s === 200)).toBe(true)
}

describe('metric and frequency rules', () => {
  it('fires a threshold rule on the project rate and a frequency rule on the busy issue only, and previews them over 7 days', async () => {
    // Events stamped in the last complete minute; the rule's 3-minute window still holds them
    // should a minute boundary pass before it is evaluated.
    const lastMinute = Math.floor(Date.now() / 60_000) * 60_000 - 30_000
    await send([
      ...Array.from({ length: 5 }, () => ({ type: 'BusyError', environment: 'freq', timestamp: lastMinute, tags: { team: 'payments' } })),
      ...Array.from({ length: 2 }, () => ({ type: 'QuietError', environment: 'freq', timestamp: lastMinute, tags: { team: 'search' } })),
    ])
    await f.waitFor(async () => (await f.api('GET', `/projects/${f.projectId}/issues?limit=10`)).body.data.reduce((n: number, i: any) => n + i.count, 0) === 7)
    // The service was started with a one-minute evaluation; a 2 s one makes the test quick.
    const tier = processorTierOf(f.server.platform)!
    await tier.alerting.stop()
    const { AlertingService } = await import('@faultline/alerting')
    const fast = new AlertingService(f.server.platform, { externalUrl: f.url, evaluationIntervalMs: 2_000, refreshMs: 200 })
    fast.start()
    try {
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
    webhook_configs: [{ url: '${collector.webhookUrl('rules')}' }]
rules:
  - name: error-rate
    kind: metric
    project: '${f.projectId}'
    levels: [error]
    window: 3m
    condition: { type: threshold, above: 6, resolve_below: 3 }
  - name: busy-issues
    kind: issue_frequency
    metric: events
    above: 3
    window: 10m
    filters: { environments: [freq] }
`,
        fast,
      )

      const rate = await collector.waitFor('the error-rate alert', () => collector.webhooks.find((w) => w.json.groupLabels.alertname === 'error-rate'))
      expect(rate.json.alerts[0]).toMatchObject({ status: 'firing', labels: { alertname: 'error-rate', project: f.projectId }, annotations: { value: '7' } })
      const busy = await collector.waitFor('the busy-issue alert', () => collector.webhooks.find((w) => w.json.groupLabels.alertname === 'busy-issues'))
      expect(busy.json.alerts.map((a: any) => a.issue.title)).toEqual(['BusyError: failed'])

      const preview = await org.call('POST', '/alerting/rules/preview', { rule: { name: 'p', kind: 'metric', project: f.projectId, condition: { type: 'threshold', above: 6 } } })
      expect(preview.status).toBe(200)
      expect(preview.body).toMatchObject({ rule: 'p', fired: 1, episodes: [{ value: 7 }] })
      const none = await org.call('POST', '/alerting/rules/preview', { rule: { name: 'q', kind: 'metric', project: f.projectId, condition: { type: 'threshold', above: 100 } } })
      expect(none.body.fired).toBe(0)
      const newIssues = await org.call('POST', '/alerting/rules/preview', { rule: { name: 'n', kind: 'issue', when: ['new'], filters: { environments: ['freq'] } } })
      expect(newIssues.body.fired).toBe(2)
      // Tag filters are judged on the event that stands for the trigger (the issue itself has no tags).
      const tagged = await org.call('POST', '/alerting/rules/preview', { rule: { name: 't', kind: 'issue', when: ['new'], filters: { tags: { team: 'payments' } } } })
      expect(tagged.body.episodes.map((e: any) => e.title)).toEqual(['BusyError: failed'])
      const frequency = await org.call('POST', '/alerting/rules/preview', { rule: { name: 'fr', kind: 'issue_frequency', metric: 'events', above: 3, window: '1d', filters: { environments: ['freq'] } } })
      expect(frequency.body.episodes.map((e: any) => e.value)).toEqual([5])
      // Two equal bursts, three and two hours ago, each inside one 10-minute window: a preview
      // stepping 6 h at a time missed them; a change rule fires on the first one only.
      const burstAt = Date.now() - 3 * 3_600_000
      const later = burstAt + 3_600_000
      await send([burstAt, later].flatMap((timestamp) => Array.from({ length: 4 }, () => ({ type: 'BurstError', environment: 'burst', timestamp }))))
      await f.waitFor(async () => (await f.api('GET', `/projects/${f.projectId}/issues?limit=10`)).body.data.reduce((n: number, i: any) => n + i.count, 0) === 15)
      const burstRule = { name: 'b', kind: 'issue_frequency', metric: 'events', above: 3, window: '10m', filters: { environments: ['burst'] } }
      const bursts = (await org.call('POST', '/alerting/rules/preview', { rule: burstRule })).body.episodes
      expect(bursts).toMatchObject([{ value: 4 }, { value: 4 }])
      for (const [episode, at] of [[bursts[0], burstAt], [bursts[1], later]]) {
        expect(Date.parse(episode.start)).toBeGreaterThan(at)
        expect(Date.parse(episode.end) - at).toBeLessThanOrEqual(10 * 60_000 + 75_000)
      }
      const rising = await org.call('POST', '/alerting/rules/preview', { rule: { ...burstRule, change: { percent: 50, compared_to: '1h' } } })
      expect(rising.body.episodes).toEqual([bursts[0]])
      expect((await org.call('POST', '/alerting/rules/preview', { rule: { name: 'bad', kind: 'metric', project: f.projectId, condition: { type: 'threshold', above: 1, resolve_below: 5 } } })).status).toBe(400)
    } finally {
      await fast.stop()
    }
  }, 90_000)
})
