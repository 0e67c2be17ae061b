/**
 * Issue 14's benchmark: event → Slack message latency beyond group_wait (ingest → processor →
 * lifecycle event → evaluator → dispatcher → @slack/web-api → a local Slack-compatible API),
 * the answer time of Slack's Acknowledge button (Slack wants one within 3 s), rule-evaluation CPU
 * for 10k rules, and notifications per second through the router.
 *
 *   npm run bench -- alerting          (BENCH_ALERTS=40 new issues for the latency run)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { AlertGroupStore, Dispatcher, evaluateIssueEvent, loadConfigYaml, NotificationLog, Notifier, slackSignature, type Alert, type Integration } from '@faultline/alerting'
import { createMetadataStore } from '@faultline/core/adapters/metadata'
import { createLogger } from '@faultline/core/log'
import type { IssueEvent } from '@faultline/core/schema'
import { sendEvents, sentryEvent } from '../support/events'
import { startFaultline } from '../support/faultline'
import { startNotificationCollector } from '../support/notification-collector'
import { applyAlertingYaml, orgIdOf, setAlertingSecret } from '../support/alerting'

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN
}

async function slackLatency(count: number, groupWaitMs: number) {
  const collector = await startNotificationCollector()
  const f = await startFaultline({ LOG_LEVEL: 'error' })
  try {
    await setAlertingSecret(f, 'slack-bot', 'xoxb-bench')
    await setAlertingSecret(f, 'slack-signing-secret', 'bench-signing-secret')
    await applyAlertingYaml(
      f,
      `
route:
  receiver: slack
  group_by: [issue]
  group_wait: ${groupWaitMs / 1000}s
receivers:
  - name: slack
    slack_configs: [{ channel: '#bench', token_secret: slack-bot, api_url: '${collector.slackApiUrl}' }]
rules:
  - { name: bench-new, kind: issue, when: [new] }
`,
    )
    const orgId = await orgIdOf(f)
    const beyond: number[] = []
    const answers: number[] = []
    for (let i = 0; i < count; i++) {
      const type = `BenchError${i}`
      const sentAt = Date.now()
      await sendEvents(f.url, f.projectId, f.publicKey, [sentryEvent({ type })])
      const post = await collector.waitFor(`Slack message ${i}`, () => collector.slack.find((c) => c.method === 'chat.postMessage' && c.args.text.includes(type)), 30_000)
      beyond.push(post.at - sentAt - groupWaitMs)
      const button = post.args.blocks.flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id === 'faultline_acknowledge')
      const body = new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', user: { id: 'U1', username: 'bench' }, actions: [{ action_id: 'faultline_acknowledge', value: button.value }] }) }).toString()
      const timestamp = String(Math.floor(Date.now() / 1000))
      const pressedAt = performance.now()
      const answer = await fetch(`${f.url}/api/v1/orgs/${orgId}/integrations/slack/interactions`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': slackSignature('bench-signing-secret', timestamp, body) },
        body,
      })
      if (answer.status !== 200) throw new Error(`the Acknowledge button answered ${answer.status}: ${await answer.text()}`)
      answers.push(Math.round(performance.now() - pressedAt))
    }
    return { p50: percentile(beyond, 50), p95: percentile(beyond, 95), max: Math.max(...beyond), answerP50: percentile(answers, 50), answerMax: Math.max(...answers) }
  } finally {
    await f.stop()
    await collector.close()
  }
}

function ruleCpu(ruleCount: number, eventsPerMinute: number) {
  const levels = ['fatal', 'error', 'warning']
  const rules = Array.from({ length: ruleCount }, (_, i) => ({
    name: `rule-${i}`,
    kind: 'issue',
    when: ['new', 'regression', 'escalating'].slice(0, 1 + (i % 3)),
    filters: {
      projects: [String(1 + (i % 100))],
      levels: [levels[i % 3]],
      ...(i % 2 === 0 && { environments: ['production'] }),
      ...(i % 5 === 0 && { tags: { region: 'eu' } }),
      ...(i % 7 === 0 && { template: `Timeout.*${i % 10}` }),
    },
    labels: { team: `team-${i % 20}`, severity: 'critical' },
  }))
  const loaded = loadConfigYaml(JSON.stringify({ route: { receiver: 'r' }, receivers: [{ name: 'r' }], rules }))
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems.slice(0, 3)))
  const event = (i: number): IssueEvent => ({
    v: 1,
    id: `e${i}`,
    type: (['created', 'regressed', 'escalating'] as const)[i % 3]!,
    projectId: String(1 + (i % 100)),
    issueId: String(i),
    at: Date.now(),
    source: 'processor',
    issue: { title: `Timeout after ${i} ms`, culprit: 'x', type: 'Error', value: 'v', level: levels[i % 3]!, platform: 'node', status: 'unresolved', substatus: 'new', firstSeen: 0, lastSeen: 0, eventCount: 1, userCount: 1, firstRelease: '', lastRelease: '', environments: ['production'] },
    trigger: { eventId: 'x', environment: 'production', release: '', tags: { region: i % 2 ? 'eu' : 'us' }, templateId: '', template: `Timeout after <int> ms ${i % 10}` },
  })
  const before = process.cpuUsage()
  let fired = 0
  for (let i = 0; i < eventsPerMinute; i++) fired += evaluateIssueEvent(loaded.config, event(i), Date.now()).fire.length
  const used = process.cpuUsage(before)
  return { cpuSecondsPerMinute: (used.user + used.system) / 1e6, perEventMs: (used.user + used.system) / 1e3 / eventsPerMinute, fired }
}

async function routerThroughput(alerts: number) {
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-router-'))
  const metadata = await createMetadataStore({ sqlitePath: join(dir, 'metadata.sqlite') })
  try {
    const loaded = loadConfigYaml(`
route:
  receiver: fast
  group_by: [issue]
  group_wait: 0s
  routes:
    - { matchers: ['team=~"team-[0-4]"'], receiver: fast, continue: true }
    - { matchers: ['severity="critical"'], receiver: fast }
receivers: [{ name: fast }]
inhibit_rules:
  - { source_matchers: ['severity="page"'], target_matchers: ['severity="critical"'], equal: [team] }
`)
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems))
    let sent = 0
    const sink: Integration = { key: 'fast/webhook/0', kind: 'webhook', sendResolved: true, send: async () => ((sent += 1), { ok: true }) }
    const logger = createLogger('error')
    const dispatcher = new Dispatcher({
      orgId: 'bench',
      config: loaded.config,
      integrations: new Map([['fast', [sink]]]),
      notifier: new Notifier(await NotificationLog.open(metadata), logger),
      groups: await AlertGroupStore.open(metadata),
      silences: () => [],
      holder: 'bench',
      externalUrl: 'http://127.0.0.1',
      logger,
    })
    const now = Date.now()
    for (let i = 0; i < alerts; i++) {
      const labels = { alertname: 'bench', issue: String(i), team: `team-${i % 10}`, severity: 'critical' }
      const alert: Alert = { fingerprint: `fp${i}`, labels, annotations: {}, startsAt: now - 60_000, endsAt: now + 3_600_000, updatedAt: now }
      dispatcher.put(alert, now)
    }
    const started = performance.now()
    dispatcher.runDue(Date.now())
    await dispatcher.settle()
    const seconds = (performance.now() - started) / 1000
    return { notifications: sent, perSecond: Math.round(sent / seconds) }
  } finally {
    await metadata.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const groupWaitMs = 1_000
console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
const latency = await slackLatency(Number(process.env.BENCH_ALERTS ?? 40), groupWaitMs)
console.log(`event → Slack beyond group_wait (${groupWaitMs} ms): p50 ${latency.p50} ms, p95 ${latency.p95} ms, max ${latency.max} ms (target p95 ≤ 2000 ms)`)
console.log(`Slack Acknowledge button answered in p50 ${latency.answerP50} ms, max ${latency.answerMax} ms (Slack wants < 3000 ms; the route answers by 2500 ms)`)
const cpu = ruleCpu(10_000, 600)
console.log(`rule evaluation, 10k rules × 600 lifecycle events/min: ${cpu.cpuSecondsPerMinute.toFixed(2)} s CPU per minute (${cpu.perEventMs.toFixed(2)} ms per event, ${cpu.fired} alerts) (target < 5 s)`)
const router = await routerThroughput(Number(process.env.BENCH_ROUTER_ALERTS ?? 2_000))
console.log(`router: ${router.notifications} notifications in distinct groups, ${router.perSecond}/s (routing, inhibition, alert-group state, notification log with claims on SQLite)`)
console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
process.exit(0)
