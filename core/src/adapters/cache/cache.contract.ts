/** The contract every Cache adapter keeps (memory-cache.test.ts, redis-cache.int.test.ts). */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CacheError } from '../../errors'
import type { Cache } from '../../ports/cache'

export interface CacheUnderTest {
  cache: Cache
  /** Close the cache and drop everything it stored. */
  cleanup(): Promise<void>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/**
 * The ttl or window of entries a test waits out: long enough that a loaded 2-core machine does not
 * pass it between two calls that must fall inside it, as it could 150 ms; short enough to wait out.
 */
const ttl = 2_000
/** Deadline of a wait for an expiry or a delivery: only a broken adapter reaches it. */
const waited = { timeout: 60_000 }

export function describeCacheContract(name: string, makeCache: () => Promise<CacheUnderTest>): void {
  describe(`Cache contract: ${name}`, () => {
    let fixture: CacheUnderTest | undefined
    const open = async () => {
      fixture = await makeCache()
      return fixture.cache
    }
    afterEach(async () => {
      await fixture?.cleanup()
      fixture = undefined
    })

    it('gets, sets, overwrites and deletes values', async () => {
      const cache = await open()
      expect(await cache.get('k')).toBeNull()
      await cache.set('k', 'v1')
      expect(await cache.get('k')).toBe('v1')
      await cache.set('k', 'v2')
      expect(await cache.get('k')).toBe('v2')
      await cache.delete('k')
      expect(await cache.get('k')).toBeNull()
      await cache.delete('never-set')
    })

    it('expires a value after its ttl', async () => {
      const cache = await open()
      await cache.set('short', 'x', ttl)
      await cache.set('forever', 'y')
      expect(await cache.get('short')).toBe('x')
      await vi.waitFor(async () => expect(await cache.get('short')).toBeNull(), { ...waited, interval: 25 })
      expect(await cache.get('forever')).toBe('y')
    })

    it('setIfAbsent sets only once until the key expires', async () => {
      const cache = await open()
      expect(await cache.setIfAbsent('dedupe:e1', 'a', ttl)).toBe(true)
      expect(await cache.setIfAbsent('dedupe:e1', 'b', ttl)).toBe(false)
      expect(await cache.get('dedupe:e1')).toBe('a')
      await vi.waitFor(async () => expect(await cache.setIfAbsent('dedupe:e1', 'c', ttl)).toBe(true), { ...waited, interval: 25 })
      expect(await cache.get('dedupe:e1')).toBe('c')
    })

    it('increments a counter that expires ttl after its creation, not after each increment', async () => {
      const cache = await open()
      expect(await cache.increment('count', 1, ttl)).toBe(1)
      expect(await cache.increment('count', 2, ttl)).toBe(3)
      // Incrementing every 50 ms: an expiry pushed back by each increment would never come, so
      // the counter would never start again at the increment.
      await vi.waitFor(async () => expect(await cache.increment('count', 5, ttl)).toBe(5), { ...waited, interval: 50 })
    })

    it('consume admits up to the limit, then refuses with a retry time', async () => {
      const cache = await open()
      const windowMs = ttl
      const results = []
      for (let i = 0; i < 3; i++) results.push(await cache.consume('ingest:p1', 1, 3, windowMs))
      expect(results).toEqual([
        { allowed: true, remaining: 2, retryAfterMs: 0 },
        { allowed: true, remaining: 1, retryAfterMs: 0 },
        { allowed: true, remaining: 0, retryAfterMs: 0 },
      ])
      const refused = await cache.consume('ingest:p1', 1, 3, windowMs)
      expect(refused.allowed).toBe(false)
      expect(refused.remaining).toBe(0)
      expect(refused.retryAfterMs).toBeGreaterThan(0)
      expect(refused.retryAfterMs).toBeLessThanOrEqual(windowMs)
      // Other keys have their own windows.
      expect((await cache.consume('ingest:p2', 3, 3, windowMs)).allowed).toBe(true)
    })

    it('consume refuses a cost that does not fit without consuming anything', async () => {
      const cache = await open()
      expect(await cache.consume('batch', 6, 10, 5_000)).toMatchObject({ allowed: true, remaining: 4 })
      const refused = await cache.consume('batch', 5, 10, 5_000)
      expect(refused).toMatchObject({ allowed: false, remaining: 4 })
      expect(refused.retryAfterMs).toBeGreaterThan(0)
      expect(refused.retryAfterMs).toBeLessThanOrEqual(5_000)
      expect(await cache.consume('batch', 4, 10, 5_000)).toMatchObject({ allowed: true, remaining: 0 })
      const tooBig = await cache.consume('fresh', 11, 10, 5_000)
      expect(tooBig.allowed).toBe(false)
      expect(tooBig.retryAfterMs).toBeGreaterThan(0)
    })

    it('consume admits again once the window has passed', async () => {
      const cache = await open()
      expect((await cache.consume('w', 2, 2, ttl)).allowed).toBe(true)
      const refused = await cache.consume('w', 1, 2, ttl)
      expect(refused.allowed).toBe(false)
      // Waiting out the window is the input here, not a synchronization.
      await sleep(refused.retryAfterMs + 20)
      expect(await cache.consume('w', 1, 2, ttl)).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 })
    })

    it('refund gives units back to the current window only, never below zero', async () => {
      const cache = await open()
      expect((await cache.consume('refund', 10, 10, 5_000)).allowed).toBe(true)
      await cache.refund('refund', 4)
      expect(await cache.consume('refund', 4, 10, 5_000)).toMatchObject({ allowed: true, remaining: 0 })
      await cache.refund('refund', 100)
      expect(await cache.consume('refund', 10, 10, 5_000)).toMatchObject({ allowed: true, remaining: 0 })
      // No window: nothing to give back to, and no credit for the next one.
      await cache.refund('no-window', 5)
      expect(await cache.consume('no-window', 11, 10, 5_000)).toMatchObject({ allowed: false })
      expect(await cache.consume('no-window', 10, 10, 5_000)).toMatchObject({ allowed: true, remaining: 0 })
    })

    it('consume stays exact under concurrent calls', async () => {
      const cache = await open()
      const results = await Promise.all(Array.from({ length: 50 }, () => cache.consume('burst', 1, 20, 5_000)))
      expect(results.filter((r) => r.allowed)).toHaveLength(20)
    })

    it('leases are exclusive, extendable and releasable', async () => {
      const cache = await open()
      const lease = await cache.acquireLease('job:rollup', 1_000)
      expect(lease?.key).toBe('job:rollup')
      expect(await cache.acquireLease('job:rollup', 1_000)).toBeNull()
      expect(await cache.acquireLease('job:other', 1_000)).not.toBeNull()
      expect(await lease!.extend(1_000)).toBe(true)
      await lease!.release()
      const next = await cache.acquireLease('job:rollup', 1_000)
      expect(next).not.toBeNull()
      await next!.release()
    })

    it('an expired lease can be taken, and the lost holder can neither extend nor release it', async () => {
      const cache = await open()
      const lost = await cache.acquireLease('job:alerts', ttl)
      expect(lost).not.toBeNull()
      const taken = await vi.waitFor(
        async () => {
          const lease = await cache.acquireLease('job:alerts', 5_000)
          expect(lease).not.toBeNull()
          return lease!
        },
        { ...waited, interval: 25 },
      )
      expect(await lost!.extend(5_000)).toBe(false)
      await lost!.release()
      expect(await cache.acquireLease('job:alerts', 5_000)).toBeNull()
      expect(await taken.extend(5_000)).toBe(true)
      await taken.release()
      expect(await cache.acquireLease('job:alerts', 5_000)).not.toBeNull()
    })

    it('extend keeps a lease past its first ttl', async () => {
      const cache = await open()
      const lease = await cache.acquireLease('job:long', ttl)
      expect(await lease!.extend(60_000)).toBe(true)
      // Past the first ttl (the wait is the input here): the extended lease still holds.
      await sleep(ttl + 200)
      expect(await cache.acquireLease('job:long', ttl)).toBeNull()
      expect(await lease!.extend(60_000)).toBe(true)
      await lease!.release()
    })

    it('delivers published messages to every subscriber of the channel until it unsubscribes', async () => {
      const cache = await open()
      const first: string[] = []
      const second: string[] = []
      const other: string[] = []
      const unsubscribeFirst = await cache.subscribe('live:p1', (m) => first.push(m))
      const unsubscribeSecond = await cache.subscribe('live:p1', (m) => second.push(m))
      await cache.subscribe('live:p2', (m) => other.push(m))
      await cache.publish('live:p1', 'one')
      await cache.publish('live:p1', 'two')
      await vi.waitFor(() => expect(second).toEqual(['one', 'two']), { ...waited, interval: 10 })
      expect(first).toEqual(['one', 'two'])
      await unsubscribeFirst()
      await cache.publish('live:p1', 'three')
      await vi.waitFor(() => expect(second).toEqual(['one', 'two', 'three']), { ...waited, interval: 10 })
      expect(first).toEqual(['one', 'two'])
      await unsubscribeSecond()
      await cache.publish('live:p2', 'elsewhere')
      await vi.waitFor(() => expect(other).toEqual(['elsewhere']), { ...waited, interval: 10 })
    })

    it('delivers to subscribers that subscribed to a new channel concurrently', async () => {
      const cache = await open()
      const got: string[] = []
      await Promise.all([
        cache.subscribe('live:new', (m) => got.push(`a:${m}`)),
        cache.subscribe('live:new', (m) => got.push(`b:${m}`)),
      ])
      await cache.publish('live:new', 'hello')
      await vi.waitFor(() => expect(got.sort()).toEqual(['a:hello', 'b:hello']), { ...waited, interval: 10 })
    })

    it('keeps delivering to other subscribers when one throws', async () => {
      const cache = await open()
      const got: string[] = []
      await cache.subscribe('live:x', () => {
        throw new Error('subscriber bug')
      })
      await cache.subscribe('live:x', (m) => got.push(m))
      await cache.publish('live:x', 'still here')
      await vi.waitFor(() => expect(got).toEqual(['still here']), { ...waited, interval: 10 })
    })

    it('answers ping, closes twice safely and refuses work once closed', async () => {
      const cache = await open()
      await cache.ping()
      await cache.close()
      await cache.close()
      await expect(cache.get('k')).rejects.toBeInstanceOf(CacheError)
    })
  })
}
