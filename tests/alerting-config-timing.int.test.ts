/**
 * A configuration acts on every event published after it was saved. The alerting service reads
 * configurations periodically; an issue event published after the last read makes it read them
 * again first, so a rule saved a moment before an error is not missed. The service here reads
 * periodically only every 10 minutes, so only that catch-up can load the second revision in time.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { formatProblems, loadConfigYaml, type AlertingService } from '@faultline/alerting'
import { processorTierOf } from '@faultline/processor'
import { sendEvents, sentryEvent } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'
import { startNotificationCollector, type NotificationCollector } from './support/notification-collector'
import { orgIdOf, waitForRevision } from './support/alerting'

let f: TestFaultline
let collector: NotificationCollector
let service: AlertingService
let orgId: string

/** Saves `yaml` as the organization's next configuration revision, without waiting for any service to load it. */
async function save(yaml: string): Promise<number> {
  const loaded = loadConfigYaml(yaml)
  if (!loaded.ok) throw new Error(formatProblems(loaded.problems))
  const stores = await service.stores()
  const applied = await stores.configs.apply(orgId, loaded.source, (await stores.configs.get(orgId))?.revision ?? 0, 'tests')
  if (!applied.ok) throw new Error(`configuration not applied: ${applied.reason}`)
  return applied.revision
}

beforeAll(async () => {
  collector = await startNotificationCollector()
  f = await startFaultline()
  orgId = await orgIdOf(f)
  await processorTierOf(f.server.platform)!.alerting.stop()
  const { AlertingService } = await import('@faultline/alerting')
  service = new AlertingService(f.server.platform, { externalUrl: f.url, refreshMs: 600_000 })
  // Revision 1 exists before the service starts: its first read, on taking the lease, loads it.
  const first = await save(configWith('before'))
  service.start()
  await waitForRevision(f, first, service)
}, 60_000)

afterAll(async () => {
  await service?.stop()
  await f?.stop()
  await collector?.close()
})

const configWith = (environment: string) => `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 0s
receivers:
  - name: hook
    webhook_configs: [{ url: '${collector.webhookUrl('timing')}' }]
rules:
  - name: new-in-${environment}
    kind: issue
    when: [new]
    filters: { environments: [${environment}] }
`

it('applies a rule saved just before the error that matches it, long before the next periodic read', async () => {
  const second = await save(configWith('after'))
  // No wait for the service to load revision 2: the error follows the save at once.
  const statuses = await sendEvents(f.url, f.projectId, f.publicKey, [sentryEvent({ type: 'SavedJustBefore', environment: 'after' })])
  expect(statuses).toEqual([200])
  const alert = await collector.waitFor('the new-issue alert of revision 2', () => collector.webhooks.find((w) => w.json.groupLabels.alertname === 'new-in-after'))
  expect(alert.json.alerts.map((a: any) => a.issue.title)).toEqual(['SavedJustBefore: failed'])
  expect(service.loadedRevision(orgId)).toBe(second)
}, 120_000)
