import { publicUrlOf } from '@faultline/core/config'
import { AlertingService, type AlertingServiceOptions } from '@faultline/alerting'
import type { Platform } from '@faultline/core/platform'
import { ErrorConsumer } from './errors/error-consumer'
import { AnomalyJob, type AnomalyJobOptions } from './jobs'
import { RetentionJob } from './retention'
import { AuditFeed, DetectionEvaluator, GeoLocator, SecurityConsumer } from './security'

export { ErrorConsumer, errorConsumerGroup } from './errors/error-consumer'
export * from './jobs'
export * from './retention'
export * from './security'

export interface ProcessorTier {
  /** The once-a-minute anomaly scorer; tests call its `runOnce(now)` directly. */
  readonly anomalies: AnomalyJob
  /** The hourly retention pass; tests call its `runOnce(now)` directly. */
  readonly retention: RetentionJob
  /** Alert evaluation and dispatch; active on the replica holding its lease. */
  readonly alerting: AlertingService
  start(): void
  stop(): Promise<void>
}

export interface ProcessorTierOptions {
  anomalyJob?: AnomalyJobOptions
  alerting?: Partial<AlertingServiceOptions>
}

// The tier running on each platform, so tests reach the live job through the server's platform.
const tiers = new WeakMap<Platform, ProcessorTier>()

/** The processor tier created on `platform` in this process, if any. */
export function processorTierOf(platform: Platform): ProcessorTier | undefined {
  return tiers.get(platform)
}

export function createProcessorTier(platform: Platform, options: ProcessorTierOptions = {}): ProcessorTier {
  const { processor } = platform.config
  const errors = new ErrorConsumer(platform, { batchSize: processor.batchSize, flushMs: processor.flushMs, maxDeliver: processor.maxDeliver })
  const anomalies = new AnomalyJob(platform, options.anomalyJob)
  const retention = new RetentionJob(platform)
  const geo = GeoLocator.open()
  geo.catch(() => undefined) // reported by the consumer when it first needs the database
  const detections = new DetectionEvaluator(platform)
  const security = new SecurityConsumer(platform, {
    batchSize: processor.batchSize,
    flushMs: processor.flushMs,
    maxDeliver: processor.maxDeliver,
    geo: () => geo,
    onStored: (events) => detections.evaluate(events),
  })
  const auditFeed = platform.config.securityAuditProject ? new AuditFeed(platform, platform.config.securityAuditProject) : undefined
  const alerting = new AlertingService(platform, { externalUrl: publicUrlOf(platform.config), ...options.alerting })
  const tier: ProcessorTier = {
    anomalies,
    retention,
    alerting,
    start: () => {
      errors.start()
      security.start()
      auditFeed?.start()
      anomalies.start()
      retention.start()
      alerting.start()
    },
    stop: async () => {
      await alerting.stop()
      await retention.stop()
      await auditFeed?.stop()
      await anomalies.stop()
      await security.stop()
      await errors.stop()
    },
  }
  tiers.set(platform, tier)
  return tier
}
