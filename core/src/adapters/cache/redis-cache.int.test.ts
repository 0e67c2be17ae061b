import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { CacheError } from '../../errors'
import { getFreePort, startRedisServer, type RunningServer } from '../../testing/servers'
import { describeCacheContract } from './cache.contract'
import { createCache } from './create-cache'
import { openRedisCache } from './redis-cache'

let server: RunningServer | undefined
beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(async () => {
  await server?.stop()
})

describeCacheContract('redis', async () => {
  if (!server) throw new Error('redis-server did not start')
  const url = server.url
  const cache = await openRedisCache({ url })
  return {
    cache,
    cleanup: async () => {
      await cache.close()
      // Tests share the server: each starts from an empty database.
      const raw = new Redis(url)
      await raw.flushdb()
      await raw.quit()
    },
  }
})

it('stores keys under the fl: prefix', async () => {
  if (!server) throw new Error('redis-server did not start')
  const cache = await openRedisCache({ url: server.url })
  const raw = new Redis(server.url)
  try {
    await cache.set('prefixed', 'v')
    expect(await raw.get('fl:prefixed')).toBe('v')
    await cache.consume('limit', 1, 5, 1_000)
    expect(await raw.get('fl:rl:limit')).toBe('1')
  } finally {
    await cache.close()
    await raw.flushdb()
    await raw.quit()
  }
})

it('fails with a CacheError when no Redis answers', async () => {
  const port = await getFreePort()
  await expect(openRedisCache({ url: `redis://127.0.0.1:${port}` })).rejects.toBeInstanceOf(CacheError)
})

it('is what createCache returns for a Redis url', async () => {
  const cache = await createCache({ redisUrl: server!.url })
  expect(cache.kind).toBe('redis')
  await cache.ping()
  await cache.close()
})
