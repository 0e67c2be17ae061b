/**
 * Loads a project with `events` error events spread over `issues` issues and 14 days, straight
 * into the stores (far faster than sending them), so the issue list can be measured at scale.
 * Run while Faultline is stopped: chDB opens its data directory in one process at a time.
 *
 *   DATA_DIR=... tsx tests/bench/seed-issues.ts PROJECT_ID EVENTS ISSUES
 */
import { loadConfig } from '@faultline/core/config'
import { refreshProjectRollups } from '@faultline/core/event-store'
import { countIssues, fingerprintKey, IssueStatuses, IssueSubstatuses, type IssueDoc } from '@faultline/core/issues'
import { createLogger } from '@faultline/core/log'
import { openPlatform } from '@faultline/core/platform'

const [projectId = '1', eventArg = '1000000', issueArg = '10000'] = process.argv.slice(2)
const events = Number(eventArg)
const issues = Number(issueArg)
const days = 14
const now = Date.now()

const platform = await openPlatform(loadConfig(), { logger: createLogger('warn') })
const orgId = (await platform.projects.projects.get(projectId))?.orgId
if (!orgId) throw new Error(`no project ${projectId}: create it first (faultline project create)`)
const { client, database } = platform.eventStore
const started = performance.now()

// Events: fingerprint i gets a share of events skewed like real traffic (a few loud issues).
await client.command({
  query: `INSERT INTO ${database}.error_events
    (project_id, fingerprint, issue_id, timestamp, received_at, event_id, level, platform, environment, release,
     transaction, title, culprit, exception_type, exception_value, message, user_key, tags, grouping_strategy, payload)
    SELECT {project:UInt64}, concat('seedfp', toString(issue)), toString(issue + 1000000),
      fromUnixTimestamp64Milli(toInt64({now:Int64} - (number * 7919) % ({days:UInt32} * 86400000))) AS ts, ts,
      generateUUIDv4(), ['error', 'error', 'warning', 'fatal'][1 + issue % 4], 'node',
      if(issue % 5 = 0, 'staging', 'production'), concat('shop@1.', toString(issue % 20)),
      'POST /api/orders', concat('PaymentError', toString(issue % 97), ': declined for order ', toString(number % 9999)),
      concat('src/payments in charge', toString(issue)), concat('PaymentError', toString(issue % 97)), 'declined', '',
      concat('user-', toString(number % 50000)), map('region', ['eu', 'us', 'ap'][1 + number % 3]), 'in-app-stacktrace', '{}'
    FROM (SELECT number, toUInt32(floor(pow(rand(number) / 4294967295, 2) * {issues:UInt32})) AS issue FROM numbers({events:UInt64}))`,
  query_params: { project: Number(projectId), now, days, issues, events },
})
await refreshProjectRollups(platform.eventStore, projectId)

const docs: Omit<IssueDoc, 'orgId'>[] = []
for (let i = 0; i < issues; i++) {
  const id = String(i + 1_000_000)
  const fingerprint = `seedfp${i}`
  const status = i % 10 === 0 ? IssueStatuses.resolved : i % 10 === 1 ? IssueStatuses.ignored : IssueStatuses.unresolved
  docs.push({
    _id: id,
    projectId,
    fingerprints: [fingerprint],
    title: `PaymentError${i % 97}: declined for order`,
    culprit: `src/payments in charge${i}`,
    type: `PaymentError${i % 97}`,
    value: 'declined',
    level: ['error', 'error', 'warning', 'fatal'][i % 4]!,
    platform: 'node',
    searchText: `paymenterror${i % 97}: declined for order src/payments in charge${i}`,
    groupingStrategy: 'in-app-stacktrace',
    status,
    substatus: IssueSubstatuses.ongoing,
    firstSeen: now - days * 86_400_000,
    lastSeen: now - (i % 1440) * 60_000,
    eventCount: 0,
    userCount: 0,
    environments: [i % 5 === 0 ? 'staging' : 'production'],
    releases: [`shop@1.${i % 20}`],
    firstRelease: `shop@1.${i % 20}`,
    lastRelease: `shop@1.${i % 20}`,
  })
}
for (let i = 0; i < docs.length; i += 1000) {
  const chunk = docs.slice(i, i + 1000)
  const counts = await countIssues(platform.eventStore, chunk)
  for (const doc of chunk) {
    const count = counts.get(doc._id)
    doc.eventCount = count?.events ?? 0
    doc.userCount = count?.users ?? 0
    await platform.issues.issues.put(orgId, doc)
    await platform.issues.fingerprints.put(orgId, { _id: fingerprintKey(projectId, doc.fingerprints[0]!), projectId, fingerprint: doc.fingerprints[0]!, issueId: doc._id })
  }
}
await platform.close()
process.stdout.write(JSON.stringify({ events, issues, seconds: (performance.now() - started) / 1000 }) + '\n')
