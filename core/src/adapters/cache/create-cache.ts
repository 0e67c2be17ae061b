import type { Logger } from '../../log'
import type { Cache } from '../../ports/cache'
import { createMemoryCache } from './memory-cache'
import { openRedisCache } from './redis-cache'

export interface CreateCacheConfig {
  /** When set the cache is Redis, otherwise in-process memory. */
  redisUrl?: string
}

/** A URL given means the server, none means the embedded default. */
export async function createCache(config: CreateCacheConfig, logger?: Logger): Promise<Cache> {
  const cache = config.redisUrl ? await openRedisCache({ url: config.redisUrl, logger }) : createMemoryCache({ logger })
  logger?.info('cache ready', { kind: cache.kind })
  return cache
}
