export { createCache, type CreateCacheConfig } from './create-cache'
export { createMemoryCache, type MemoryCacheOptions } from './memory-cache'
export { openRedisCache, type RedisCacheOptions } from './redis-cache'
