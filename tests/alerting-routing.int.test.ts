/**
 * Alertmanager-style acceptance over a running Faultline: issues become alerts, and a webhook
 * collector records what each route's receiver is told and when. Each test uses its own
 * environment, routed to its own receiver. Arrival is awaited with deadlines that fail loudly;
 * absence is checked once the flush that would have told it is over (a later flush of the group
 * started, or, for time-muted routes, a witness group flushed in the same pass was told).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendEvents, sentryEvent, type EventShape } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'
import { startNotificationCollector, type NotificationCollector, type Received } from './support/notification-collector'
import { afterFlush, orgApi, type OrgApi, applyAlertingYaml, waitForSilence } from './support/alerting'

let f: TestFaultline
let collector: NotificationCollector
let org: OrgApi
const routes = ['batching', 'repeat', 'inhibit', 'silence', 'muted', 'inactive', 'retry', 'flap']

beforeAll(async () => {
  collector = await startNotificationCollector()
  f = await startFaultline()
  org = await orgApi(f)
  await applyAlertingYaml(
    f,
    `
route:
  receiver: sink
  group_by: [environment]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
${routes.map((name) => `    - matchers: ['environment="${name}"']\n      receiver: ${name}${name === 'repeat' ? '\n      repeat_interval: 3s' : ''}${name === 'muted' ? '\n      mute_time_intervals: [always]\n      continue: true' : ''}${name === 'inactive' ? '\n      active_time_intervals: [long-ago]\n      continue: true' : ''}`).join('\n')}
    - matchers: ['environment=~"muted|inactive"']
      receiver: witness
receivers:
  - name: sink
${[...routes, 'witness'].map((name) => `  - name: ${name}\n    webhook_configs:\n      - url: ${collector.webhookUrl(name)}\n        max_retry_duration: 30s`).join('\n')}
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [environment]
time_intervals:
  - name: always
    time_intervals: [{ times: [{ start_time: '00:00', end_time: '24:00' }] }]
  - name: long-ago
    time_intervals: [{ years: ['2000'] }]
rules:
  - name: fatal
    kind: issue
    when: [new, regression]
    filters: { levels: [fatal] }
    labels: { severity: critical }
  - name: errors
    kind: issue
    when: [new, regression]
    filters: { levels: [error] }
    labels: { severity: warning }
`,
  )
}, 60_000)

afterAll(async () => {
  await f?.stop()
  await collector?.close()
})

const at = (route: string) => collector.webhooks.filter((w) => w.path === `/${route}`)
const titles = (hook: Received) => hook.json.alerts.filter((a: any) => a.status === 'firing').map((a: any) => a.issue.title).sort()

async function send(environment: string, shapes: EventShape[]): Promise<void> {
  const statuses = await sendEvents(f.url, f.projectId, f.publicKey, shapes.map((shape) => sentryEvent({ environment, ...shape })))
  expect(statuses.every((s) => s === 200)).toBe(true)
}

/** Waits until the issue with this title exists; returns its id. */
async function issueId(title: string): Promise<string> {
  return f.waitFor(async () => {
    const { body } = await f.api('GET', `/projects/${f.projectId}/issues?status=all&limit=100`)
    return body.data.find((i: any) => i.title === title)?.id
  })
}

/** The group of an environment's route (each route here has its own environment). */
const groupOf = (environment: string) => (group: { labels: Record<string, string> }) => group.labels.environment === environment

describe('alert routing and timing', () => {
  it('batches alerts of a group into one notification after group_wait, later ones after group_interval', async () => {
    const sentAt = Date.now()
    await send('batching', [{ type: 'BatchA' }, { type: 'BatchB' }])
    const [first] = await collector.waitFor('the first batch', () => (at('batching').length > 0 ? at('batching') : undefined))
    expect(first!.at - sentAt).toBeGreaterThanOrEqual(1_000)
    // Both issues came within group_wait: one notification names both, or the second follows in one group_interval.
    await collector.waitFor('both alerts told', () => at('batching').some((h) => titles(h).length === 2))
    await send('batching', [{ type: 'BatchC' }])
    const third = await collector.waitFor('the later alert', () => at('batching').find((h) => titles(h).includes('BatchC: failed')))
    const previous = at('batching')[at('batching').indexOf(third) - 1]!
    expect(third.at - previous.at).toBeGreaterThanOrEqual(1_900)
    expect(titles(third)).toEqual(['BatchA: failed', 'BatchB: failed', 'BatchC: failed'])
  }, 60_000)

  it('repeats an unchanged group after repeat_interval and not before', async () => {
    await send('repeat', [{ type: 'RepeatMe' }])
    const first = await collector.waitFor('the first notification', () => at('repeat')[0])
    const second = await collector.waitFor('the repeat', () => at('repeat')[1])
    expect(second.at - first.at).toBeGreaterThanOrEqual(2_900)
    expect(titles(second)).toEqual(titles(first))
  })

  it('sends a resolved notification when the issue is resolved', async () => {
    const id = await issueId('RepeatMe: failed')
    expect((await f.api('PUT', `/projects/${f.projectId}/issues`, { ids: [id], status: 'resolved' })).status).toBe(200)
    const resolved = await collector.waitFor('the resolved notification', () => at('repeat').find((h) => h.json.status === 'resolved'))
    expect(resolved.json.alerts).toEqual([expect.objectContaining({ status: 'resolved', issue: expect.objectContaining({ title: 'RepeatMe: failed' }) })])
  })

  it('inhibits warning alerts while a critical one fires in the same environment', async () => {
    await send('inhibit', [{ type: 'Outage', level: 'fatal' }, { type: 'Symptom', level: 'error' }])
    const first = await collector.waitFor('the critical alert', () => at('inhibit')[0])
    expect(titles(first)).toEqual(['Outage: failed'])
    // Over a whole flush that had both alerts in the group, the warning stays untold.
    await afterFlush(f, org, (g) => groupOf('inhibit')(g) && g.firing.length === 2)
    expect(at('inhibit').flatMap(titles)).not.toContain('Symptom: failed')
    // Once the source resolves, the target is told.
    const outage = await issueId('Outage: failed')
    await f.api('PUT', `/projects/${f.projectId}/issues`, { ids: [outage], status: 'resolved' })
    await collector.waitFor('the formerly inhibited alert', () => at('inhibit').find((h) => titles(h).includes('Symptom: failed')))
  })

  it('keeps silenced alerts out of notifications until the silence ends', async () => {
    const silence = await org.call('POST', '/alerting/silences', { matchers: ['environment="silence"'], endsAt: Date.now() + 60_000, comment: 'deploy' })
    expect(silence.status).toBe(201)
    await waitForSilence(f, silence.body._id)
    await send('silence', [{ type: 'Hushed' }])
    const muted = await afterFlush(f, org, (g) => groupOf('silence')(g) && g.firing.length > 0)
    expect(muted.state).toBe('silenced')
    expect(at('silence')).toEqual([])
    await org.call('DELETE', `/alerting/silences/${silence.body._id}`)
    await collector.waitFor('the alert after the silence', () => at('silence').find((h) => titles(h).includes('Hushed: failed')))
    const groups = await org.call('GET', '/alerting/groups?limit=500')
    expect(groups.body.data.find((g: any) => g.labels.environment === 'silence')?.state).toBe('triggered')
  })

  it('sends nothing inside a mute time interval or outside an active one', async () => {
    await send('muted', [{ type: 'MutedNow' }])
    await send('inactive', [{ type: 'NotActive' }])
    // Each alert also goes to a witness route (continue: true) whose group formed in the same
    // step and is flushed right after the muted one in the same pass: once the witness is told
    // of both, the muted routes' flushes have decided, and by the witness group's next flush a
    // whole group_interval later, anything they sent has arrived.
    await collector.waitFor('the witness of both', () => {
      const told = at('witness').flatMap(titles)
      return told.includes('MutedNow: failed') && told.includes('NotActive: failed')
    })
    await afterFlush(f, org, (g) => g.receiver === 'witness' && g.labels.environment === 'inactive')
    expect(at('inactive')).toEqual([])
    expect(at('muted')).toEqual([])
  })

  it('retries a receiver that fails until it recovers', async () => {
    collector.failNext('webhook', 2, 503, { path: '/retry' })
    const sentAt = Date.now()
    await send('retry', [{ type: 'Flaky' }])
    const delivered = await collector.waitFor('the notification after recovery', () => at('retry')[0])
    expect(delivered.at - sentAt).toBeGreaterThanOrEqual(1_000)
    expect(titles(delivered)).toEqual(['Flaky: failed'])
    // A whole flush after the delivery tells nothing again.
    await afterFlush(f, org, (g) => groupOf('retry')(g) && g.updatedAt > delivered.at)
    expect(at('retry')).toHaveLength(1)
  })

  it('bounds the notifications of an alert that flaps', async () => {
    await send('flap', [{ type: 'Flapper' }])
    const id = await issueId('Flapper: failed')
    const started = Date.now()
    // The waits pace the flapping (they are the input); the checks below only bound from above.
    for (let i = 0; i < 6; i++) {
      await f.api('PUT', `/projects/${f.projectId}/issues`, { ids: [id], status: 'resolved' })
      await new Promise((resolve) => setTimeout(resolve, 500))
      await send('flap', [{ type: 'Flapper' }])
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    const elapsed = Date.now() - started
    // At most one notification per group_interval (2 s), plus the first.
    expect(at('flap').length).toBeGreaterThan(0)
    expect(at('flap').length).toBeLessThanOrEqual(Math.ceil(elapsed / 2_000) + 1)
    const gaps = at('flap').slice(1).map((h, i) => h.at - at('flap')[i]!.at)
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1_900)
  })
})
