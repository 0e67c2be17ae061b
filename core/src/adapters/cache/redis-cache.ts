/**
 * The cluster cache: Redis through ioredis. Keys live under `fl:` (`fl:rl:` for rate-limit
 * windows, `fl:lease:` for leases), channels under `fl:` too. Every read-modify-write is one
 * command or one Lua script, so it is atomic across replicas. Pub/sub uses a second connection,
 * because a subscribed connection can run no other command.
 */
import { createHash, randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { CacheError } from '../../errors'
import type { Logger } from '../../log'
import type { Cache, Lease, RateLimitResult } from '../../ports/cache'

export interface RedisCacheOptions {
  url: string
  logger?: Logger
}

const prefix = 'fl:'

/** EVALSHA with a fallback to EVAL when the server has not seen the script (restart, failover). */
class LuaScript {
  readonly #source: string
  readonly #sha: string
  constructor(source: string) {
    this.#source = source
    this.#sha = createHash('sha1').update(source).digest('hex')
  }

  async run(redis: Redis, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args)
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return redis.eval(this.#source, keys.length, ...keys, ...args)
    }
  }
}

const incrementScript = new LuaScript(`
  local value = redis.call('INCRBY', KEYS[1], ARGV[1])
  if redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
  return value
`)

// Refuses without consuming: the counter only moves when the whole cost fits.
// Only into a window that still exists: a refund must not open a new one below zero.
const refundScript = new LuaScript(`
  local used = tonumber(redis.call('GET', KEYS[1]) or '-1')
  if used < 0 then return 0 end
  redis.call('SET', KEYS[1], math.max(0, used - tonumber(ARGV[1])), 'KEEPTTL')
  return 1
`)

const consumeScript = new LuaScript(`
  local cost = tonumber(ARGV[1])
  local limit = tonumber(ARGV[2])
  local window = tonumber(ARGV[3])
  local used = tonumber(redis.call('GET', KEYS[1]) or '0')
  if used + cost <= limit then
    local now = redis.call('INCRBY', KEYS[1], cost)
    if redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], window) end
    return {1, limit - now, 0}
  end
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl <= 0 then ttl = window end
  return {0, math.max(0, limit - used), ttl}
`)

const extendScript = new LuaScript(`
  if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
  return 0
`)

const releaseScript = new LuaScript(`
  if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
  return 0
`)

export async function openRedisCache(options: RedisCacheOptions): Promise<Cache> {
  const redis = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 3 })
  redis.on('error', (error: unknown) => options.logger?.warn('redis connection error', { error }))
  try {
    await redis.connect()
    await redis.ping()
  } catch (cause) {
    redis.disconnect()
    throw new CacheError('unavailable', `cannot connect to Redis at ${options.url}`, { cause })
  }
  return new RedisCache(redis, options.logger)
}

class RedisCache implements Cache {
  readonly kind = 'redis' as const
  readonly #redis: Redis
  readonly #logger: Logger | undefined
  readonly #subscriptions = new Map<string, { handlers: Set<(message: string) => void>; ready: Promise<void> }>()
  #subscriber: Redis | undefined
  #closing: Promise<void> | undefined

  constructor(redis: Redis, logger: Logger | undefined) {
    this.#redis = redis
    this.#logger = logger
  }

  get(key: string): Promise<string | null> {
    return this.#call('get', () => this.#redis.get(prefix + key))
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    await this.#call('set', () =>
      ttlMs === undefined ? this.#redis.set(prefix + key, value) : this.#redis.set(prefix + key, value, 'PX', ttlMs),
    )
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.#call('setIfAbsent', () => this.#redis.set(prefix + key, value, 'PX', ttlMs, 'NX'))) === 'OK'
  }

  async delete(key: string): Promise<void> {
    await this.#call('delete', () => this.#redis.del(prefix + key))
  }

  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    return Number(await this.#call('increment', () => incrementScript.run(this.#redis, [prefix + key], [by, ttlMs])))
  }

  async consume(key: string, cost: number, limit: number, windowMs: number): Promise<RateLimitResult> {
    const reply = (await this.#call('consume', () =>
      consumeScript.run(this.#redis, [`${prefix}rl:${key}`], [cost, limit, windowMs]),
    )) as [number, number, number]
    return { allowed: reply[0] === 1, remaining: reply[1], retryAfterMs: reply[2] }
  }

  async refund(key: string, cost: number): Promise<void> {
    await this.#call('refund', () => refundScript.run(this.#redis, [`${prefix}rl:${key}`], [cost]))
  }

  async acquireLease(key: string, ttlMs: number): Promise<Lease | null> {
    const leaseKey = `${prefix}lease:${key}`
    const token = randomUUID()
    const taken = await this.#call('acquire a lease', () => this.#redis.set(leaseKey, token, 'PX', ttlMs, 'NX'))
    if (taken !== 'OK') return null
    return {
      key,
      extend: async (extendMs) =>
        (await this.#call('extend a lease', () => extendScript.run(this.#redis, [leaseKey], [token, extendMs]))) === 1,
      release: async () => {
        await this.#call('release a lease', () => releaseScript.run(this.#redis, [leaseKey], [token]))
      },
    }
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.#call('publish', () => this.#redis.publish(prefix + channel, message))
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    const subscriber = this.#subscriberConnection()
    let subscription = this.#subscriptions.get(channel)
    if (!subscription) {
      const handlers = new Set<(message: string) => void>()
      const ready = this.#call('subscribe', () => subscriber.subscribe(prefix + channel)).then(() => undefined)
      subscription = { handlers, ready }
      this.#subscriptions.set(channel, subscription)
      ready.catch(() => this.#subscriptions.delete(channel))
    }
    subscription.handlers.add(onMessage)
    // Concurrent subscribers of a new channel all wait for the one SUBSCRIBE to be confirmed.
    await subscription.ready
    return async () => {
      const current = this.#subscriptions.get(channel)
      if (!current?.handlers.delete(onMessage) || current.handlers.size > 0) return
      this.#subscriptions.delete(channel)
      if (!this.#closing) await this.#call('unsubscribe', () => subscriber.unsubscribe(prefix + channel))
    }
  }

  async ping(): Promise<void> {
    await this.#call('ping', () => this.#redis.ping())
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const connections = [this.#redis, ...(this.#subscriber ? [this.#subscriber] : [])]
      await Promise.all(
        connections.map((connection) =>
          connection.quit().catch((error: unknown) => {
            this.#logger?.warn('closing a Redis connection failed', { error })
            connection.disconnect()
          }),
        ),
      )
    })()
    return this.#closing
  }

  #subscriberConnection(): Redis {
    if (this.#closing) throw new CacheError('unavailable', 'the cache is closed')
    if (!this.#subscriber) {
      const subscriber = this.#redis.duplicate()
      subscriber.on('error', (error: unknown) => this.#logger?.warn('redis subscriber error', { error }))
      subscriber.on('message', (channel: string, message: string) => {
        for (const handler of this.#subscriptions.get(channel.slice(prefix.length))?.handlers ?? []) {
          try {
            handler(message)
          } catch (error) {
            this.#logger?.error('cache subscriber failed', { channel, error })
          }
        }
      })
      this.#subscriber = subscriber
    }
    return this.#subscriber
  }

  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closing) throw new CacheError('unavailable', 'the cache is closed')
    try {
      return await fn()
    } catch (cause) {
      throw new CacheError('unavailable', `cache: cannot ${what}`, { cause })
    }
  }
}
