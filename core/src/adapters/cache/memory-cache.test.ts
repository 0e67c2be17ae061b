import { describe, expect, it } from 'vitest'
import { describeCacheContract } from './cache.contract'
import { createCache } from './create-cache'
import { createMemoryCache } from './memory-cache'

describeCacheContract('memory', async () => {
  const cache = createMemoryCache()
  return { cache, cleanup: () => cache.close() }
})

describe('memory cache bounds', () => {
  it('evicts the keys closest to expiry first, then the oldest keys without a ttl', async () => {
    const cache = createMemoryCache({ maxKeys: 3 })
    try {
      await cache.set('long', '1', 60_000)
      await cache.set('soon', '2', 1_000)
      await cache.set('plain', '3')
      await cache.set('later', '4', 30_000)
      expect(await cache.get('soon')).toBeNull()
      expect(await cache.get('long')).toBe('1')
      expect(await cache.get('plain')).toBe('3')
      expect(await cache.get('later')).toBe('4')
      await cache.set('plain-2', '5')
      await cache.set('plain-3', '6')
      // Only keys without a ttl would be left once the heap is drained; the oldest goes first.
      expect(await cache.get('later')).toBeNull()
      expect(await cache.get('long')).toBeNull()
      await cache.set('plain-4', '7')
      expect(await cache.get('plain')).toBeNull()
      expect(await cache.get('plain-4')).toBe('7')
    } finally {
      await cache.close()
    }
  })
})

describe('createCache without a Redis url', () => {
  it('returns the in-process cache', async () => {
    const cache = await createCache({})
    expect(cache.kind).toBe('memory')
    await cache.close()
  })
})
