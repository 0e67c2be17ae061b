/**
 * The security processor alone (issue 15), without ingest or HTTP: batches of 20,000 of the
 * security bench's events, normalized as ingest does and published on the embedded bus, then
 * fetched and handled by the security consumer (decode, geolocate, insert into chDB, entity rows,
 * ack) first without the detections and then with them. CPU per event counts every thread of this
 * process (chDB's included), which the machine's other load sways far less than a rate does.
 *
 *   npm run bench -- security-processor     (BENCH_EVENTS=80000 per phase; the first batch warms up)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultOrganization } from '@faultline/core/accounts'
import { loadConfig } from '@faultline/core/config'
import { createLogger } from '@faultline/core/log'
import { openPlatform } from '@faultline/core/platform'
import { createProject } from '@faultline/core/projects'
import { encodeSecurityMessage, normalizeSecurityEvent, securityMessageId, securityMessages } from '@faultline/core/security'
import { DetectionEvaluator, GeoLocator, SecurityConsumer, securityConsumerGroup } from '@faultline/processor'
import { securityBenchEvent } from './security-bench-event'

const eventsPerPhase = Number(process.env.BENCH_EVENTS ?? 80_000)
const batch = 20_000
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')
const cpuMs = () => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

const dataDir = mkdtempSync(join(tmpdir(), 'fl-security-processor-'))
const platform = await openPlatform(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error' }), { logger: createLogger('error', {}, () => undefined) })
const projectId = (await createProject(platform.projects, (await defaultOrganization(platform.accounts))._id, 'Security processor bench')).project._id
const geo = GeoLocator.open()
let nextEvent = 0

async function publishBatch(): Promise<number> {
  const now = Date.now()
  const events = Array.from({ length: batch }, () => {
    const result = normalizeSecurityEvent(securityBenchEvent(nextEvent++), { receivedAt: now, dataset: 'generic' })
    if (!result.ok) throw new Error(result.reason)
    return result.event
  })
  const messages = securityMessages(projectId, now, events)
  await platform.bus.publish('security', messages.map((m) => ({ id: securityMessageId(m), data: encodeSecurityMessage(m) })))
  return messages.length
}

/** Handles `eventsPerPhase` events batch by batch; CPU and wall time of all but the first batch. */
async function phase(consumer: SecurityConsumer): Promise<{ micros: number; perSecond: number }> {
  let cpu = 0
  let wall = 0
  let counted = 0
  for (let round = 0; round * batch < eventsPerPhase; round++) {
    let remaining = await publishBatch()
    const cpuBefore = cpuMs()
    const started = performance.now()
    while (remaining > 0) {
      const messages = await platform.bus.fetch('security', securityConsumerGroup, { max: remaining, expiresMs: 1_000 })
      if (messages.length === 0) throw new Error('the published batch did not come back from the bus')
      await consumer.handleBatch(messages)
      remaining -= messages.length
    }
    if (round === 0) continue
    cpu += cpuMs() - cpuBefore
    wall += performance.now() - started
    counted += batch
  }
  return { micros: (cpu * 1000) / counted, perSecond: counted / (wall / 1000) }
}

try {
  console.log(`load before: ${load()}`)
  const options = { batchSize: 2_000, flushMs: 250, maxDeliver: 5, geo: () => geo }
  const storeOnly = await phase(new SecurityConsumer(platform, options))
  console.log(`security processor without detections (decode, geo, insert, entity rows, ack), batches of ${batch}: ${storeOnly.micros.toFixed(0)} µs CPU per event over all threads, ${storeOnly.perSecond.toFixed(0)} events/s; load ${load()}`)
  const detections = new DetectionEvaluator(platform)
  const withDetections = await phase(new SecurityConsumer(platform, { ...options, onStored: (events) => detections.evaluate(events) }))
  console.log(`security processor with the built-in detections: ${withDetections.micros.toFixed(0)} µs CPU per event over all threads, ${withDetections.perSecond.toFixed(0)} events/s; load ${load()}`)
} finally {
  await platform.close()
  rmSync(dataDir, { recursive: true, force: true })
}
