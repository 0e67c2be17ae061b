import type { Platform } from '@faultline/core/platform'
import { ErrorConsumer } from './errors/error-consumer'

export { ErrorConsumer, errorConsumerGroup } from './errors/error-consumer'

export interface ProcessorTier {
  start(): void
  stop(): Promise<void>
}

export function createProcessorTier(platform: Platform): ProcessorTier {
  const { processor } = platform.config
  const errors = new ErrorConsumer(platform, { batchSize: processor.batchSize, flushMs: processor.flushMs, maxDeliver: processor.maxDeliver })
  return {
    start: () => errors.start(),
    stop: () => errors.stop(),
  }
}
