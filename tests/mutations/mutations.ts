/**
 * Small deliberate bugs, each one a file, an exact snippet in it and what replaces it, with the
 * tests that should catch it. A snippet is matched literally and must occur exactly once: after a
 * refactor moves the code, the mutation is reported stale (found nowhere, or in several places),
 * never skipped in silence; then rewrite it against the new code.
 */
export interface Mutation {
  name: string
  /** What part of the product's promise it breaks. */
  area: string
  file: string
  find: string
  replace: string
  /** Test files (vitest filters) that must fail with the bug in place. */
  tests: string[]
  /** Only the tests whose names match (vitest -t), for slow files. */
  testNamePattern?: string
}

// The scenarios at fault points, judged on the two checks the two bugs below break.
const crashFaults = { tests: ['tests/crash.int.test.ts'], testNamePattern: 'fault points.*(stores every acknowledged event|stores no event twice)' }

export const mutations: Mutation[] = [
  {
    name: 'grouping ignores in-app frames',
    area: 'grouping',
    file: 'processor/src/grouping/stacktrace.ts',
    find: "if (variant === 'app' && !isInAppForGrouping(frame, name)) continue",
    replace: "if (variant === 'app' && isNoise(frame, name)) continue",
    tests: ['processor/src/grouping'],
  },
  {
    name: 'custom fingerprint drops {{ default }}',
    area: 'grouping',
    file: 'processor/src/grouping/fingerprint.ts',
    find: '    if (isDefaultPlaceholder(entry)) {',
    replace: '    if (entry === null) {',
    tests: ['processor/src/grouping'],
  },
  {
    name: 'integers are not parameterized',
    area: 'parameterization',
    file: 'intelligence/src/parameterize/parameterize.ts',
    find: "  ['int', String.raw`(?:\\b|(?<!\\w)-)\\d{1,7}\\b`],",
    replace: '',
    tests: ['intelligence/src/parameterize', 'processor/src/grouping'],
  },
  {
    name: '"password" keys are not scrubbed',
    area: 'scrubbing',
    file: 'core/src/privacy/default-pack.ts',
    find: "contains: ['password', 'passwd', 'passphrase', 'mysqlpwd'],",
    replace: "contains: ['passwd', 'passphrase', 'mysqlpwd'],",
    tests: ['ingest/src/scrub', 'ingest/src/routes', 'core/src/privacy'],
  },
  {
    name: 'card numbers masked without the Luhn check',
    area: 'scrubbing',
    file: 'ingest/src/scrub/detectors/numbers.ts',
    find: '  return networkAccepts(digits) && luhn(digits)\n}',
    replace: '  return networkAccepts(digits)\n}',
    tests: ['ingest/src/scrub'],
  },
  {
    name: 'ingest publishes events unscrubbed',
    area: 'scrubbing',
    file: 'ingest/src/services/ingest-service.ts',
    find: '      const { event, clientIp } = scrubber.scrubEvent(raw, { clientIp: submission.clientIp })',
    replace: '      const { event, clientIp } = { ...scrubber.scrubEvent(raw, { clientIp: submission.clientIp }), event: raw }',
    tests: ['ingest/src/routes'],
  },
  {
    name: 'event writer skips the redelivery check',
    area: 'idempotency',
    file: 'processor/src/errors/error-consumer.ts',
    find: 'const redelivered = new Set(prepared.filter((p) => p.message.deliveryCount > 1).map((p) => p.grouped.event.eventId))',
    replace: 'const redelivered = new Set<string>()',
    ...crashFaults,
  },
  {
    name: 'SQLite bus forgets repeated ids',
    area: 'idempotency',
    file: 'core/src/adapters/bus/sqlite-bus.ts',
    find: '.changes === 0) continue',
    replace: '.changes === -1) continue',
    tests: ['core/src/adapters/bus/sqlite-bus.test.ts'],
  },
  {
    name: 'JetStream publishes without a message id',
    area: 'idempotency',
    file: 'core/src/adapters/bus/jetstream-bus.ts',
    find: '{ msgID: m.id, headers: writeHeaders(m.id, m.headers) }',
    replace: '{ headers: writeHeaders(m.id, m.headers) }',
    tests: ['core/src/adapters/bus/jetstream-bus.int.test.ts'],
  },
  {
    name: 'a disabled DSN key is accepted',
    area: 'auth',
    file: 'core/src/projects/projects.ts',
    find: "  if (key.disabled) return 'This DSN key is disabled'\n",
    replace: '',
    tests: ['ingest/src/routes'],
  },
  {
    name: "another project's DSN key is accepted",
    area: 'auth',
    file: 'ingest/src/services/submission-auth.ts',
    find: '    if (key.projectId !== projectId) throw httpError(403, `This DSN key does not belong to project ${projectId}`)\n',
    replace: '',
    tests: ['ingest/src/routes'],
  },
  {
    name: 'a revoked or expired API token is let through',
    area: 'auth',
    file: 'api/src/middleware/authenticate.ts',
    find: "    if (state !== 'active') {",
    replace: "    if (state === 'none') {",
    tests: ['api/src/permissions', 'api/src/routes'],
  },
  {
    name: 'issue lookups ignore the path project',
    area: 'tenancy',
    file: 'api/src/services/issue-actions.ts',
    find: 'docs.filter((d) => d.projectId === projectId).map((d) => [d._id, d])',
    replace: 'docs.map((d) => [d._id, d])',
    tests: ['tests/tenancy.int.test.ts'],
  },
  {
    name: 'issue lists ignore the path project',
    area: 'tenancy',
    file: 'api/src/services/issue-queries.ts',
    find: '  const filter: Filter = { projectId }',
    replace: '  const filter: Filter = {}',
    tests: ['tests/tenancy.int.test.ts'],
  },
  {
    name: 'event reads ignore the path project',
    area: 'tenancy',
    file: 'api/src/services/issue-queries.ts',
    find: 'WHERE project_id = {project:UInt64} AND event_id = {eventId:UUID} LIMIT 1',
    replace: 'WHERE {project:UInt64} > 0 AND event_id = {eventId:UUID} LIMIT 1',
    tests: ['tests/tenancy.int.test.ts'],
  },
  {
    name: 'the per-project quota is never applied',
    area: 'rate limits',
    file: 'ingest/src/services/rate-limits.ts',
    find: "    { scope: 'project' as const, cacheKey: `rl:project:${key.projectId}`, limit: settings.projectPerMinute },\n",
    replace: '',
    tests: ['ingest/src/services', 'ingest/src/routes'],
  },
  {
    name: "a key's own rate limit is ignored",
    area: 'rate limits',
    file: 'ingest/src/services/rate-limits.ts',
    find: 'limit: key.rateLimitPerMinute ?? settings.keyPerMinute',
    replace: 'limit: settings.keyPerMinute',
    tests: ['ingest/src/services', 'ingest/src/routes'],
  },
  {
    name: 'resolved issues never regress',
    area: 'regressions',
    file: 'processor/src/errors/issue-transitions.ts',
    find: '      if (activity.lastReceivedAt > (issue.resolvedAt ?? 0)) return regress(now)',
    replace: '      if (activity.lastReceivedAt < 0) return regress(now)',
    tests: ['processor/src/errors', 'tests/issues-api.int.test.ts'],
  },
  {
    name: 'issue transitions are computed but not saved',
    area: 'regressions',
    file: 'processor/src/errors/issue-updater.ts',
    find: 'const changed = transition ? await',
    replace: 'const changed = transition && now < 0 ? await',
    tests: ['processor/src/errors', 'tests/issues-api.int.test.ts'],
  },
  {
    name: 'the processor acks a batch before storing it',
    area: 'ack order',
    file: 'processor/src/consume/batch-consumer.ts',
    find: '      await this.#pipeline.store(items)\n      await Promise.all(items.map((item) => item.message.ack()))',
    replace: '      await Promise.all(items.map((item) => item.message.ack()))\n      await this.#pipeline.store(items)',
    ...crashFaults,
  },
  {
    name: 'scope breadcrumbs are left off events',
    area: 'SDK breadcrumbs',
    file: 'sdk-core/src/scope/scope.ts',
    find: 'const crumbs = [...this.breadcrumbs.toArray(), ...(event.breadcrumbs ?? [])]',
    replace: 'const crumbs = [...(event.breadcrumbs ?? [])]',
    tests: ['sdk-core', 'sdk-node/src/middleware'],
  },
  {
    name: 'browser clicks are not recorded',
    area: 'SDK breadcrumbs',
    file: 'sdk-browser/src/integrations/breadcrumbs.ts',
    find: "      if (selector) addBreadcrumb({ category: 'ui.click', message: selector })",
    replace: '',
    tests: ['sdk-browser/src/browser.int.test.ts'],
  },
  {
    name: 'SDK reads Retry-After as milliseconds',
    area: 'Retry-After',
    file: 'sdk-core/src/transport/rate-limits.ts',
    find: 'return Math.max(0, seconds * 1000)',
    replace: 'return Math.max(0, seconds)',
    tests: ['sdk-core'],
  },
  {
    name: 'ingest answers 429 without Retry-After',
    area: 'Retry-After',
    file: 'ingest/src/services/rate-limits.ts',
    find: "          'retry-after': String(retryAfterSeconds),\n",
    replace: '',
    tests: ['ingest/src/routes', 'ingest/src/services'],
  },
  {
    name: 'silenced alerts are told',
    area: 'alerting',
    file: 'alerting/src/dispatch/dispatcher.ts',
    find: '(silencedBy(silences, alert, now).length > 0 || inhibitor.isInhibited(alert))',
    replace: 'inhibitor.isInhibited(alert)',
    tests: ['tests/alerting-routing.int.test.ts'],
    testNamePattern: 'silenced',
  },
  {
    name: 'mute and active time intervals are ignored',
    area: 'alerting',
    file: 'alerting/src/dispatch/dispatcher.ts',
    find: '    if (this.#timeMuted(route, now)) return\n',
    replace: '',
    tests: ['tests/alerting-routing.int.test.ts'],
    testNamePattern: 'mute time interval',
  },
  {
    name: 'acknowledged groups stay due for escalation',
    area: 'alerting',
    file: 'alerting/src/store/alert-group-store.ts',
    find: "{ state: AlertGroupStates.triggered, 'escalation.nextAt'",
    replace: "{ state: { $in: [AlertGroupStates.triggered, AlertGroupStates.acknowledged] }, 'escalation.nextAt'",
    tests: ['tests/alerting-escalation.int.test.ts'],
    testNamePattern: 'acknowledged',
  },
  {
    name: 'a new leader tells again what the notification log says was told',
    area: 'alerting',
    file: 'alerting/src/notify/notifier.ts',
    find: 'const changed = needsUpdate(entry, firing,',
    replace: 'const changed = needsUpdate(undefined, firing,',
    tests: ['tests/alerting-cluster.int.test.ts'],
  },
]
