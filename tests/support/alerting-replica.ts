/**
 * One alerting replica as its own process, for the cluster tests: the platform from the
 * environment (NATS_URL, REDIS_URL, DATA_DIR shared with its peers), no event store, and the
 * alerting service. Prints `leader` or `follower` every 100 ms; SIGTERM stops it cleanly.
 */
import { AlertingService } from '@faultline/alerting'
import { loadConfig } from '@faultline/core/config'
import { openPlatform } from '@faultline/core/platform'

const platform = await openPlatform(loadConfig(process.env), { withEventStore: false })
const service = new AlertingService(platform, { externalUrl: 'http://127.0.0.1', leaseTtlMs: Number(process.env.ALERTING_LEASE_TTL_MS ?? 2_000), refreshMs: 200 })
service.start()
const report = setInterval(() => process.stdout.write(`${service.isLeader ? 'leader' : 'follower'}\n`), 100)
process.once('SIGTERM', () => {
  clearInterval(report)
  void service
    .stop()
    .then(() => platform.close())
    .then(() => process.exit(0))
})
