import { describe, expect, it } from 'vitest'
import { createMemoryCache } from '../adapters/cache'
import { createLogger } from '../log'
import { announceCredentialChange, CredentialCache, CredentialKinds } from './credential-cache'

const logger = createLogger('error')

describe('CredentialCache', () => {
  it('serves from memory until a change of its kind is announced, then reads again', async () => {
    const cache = createMemoryCache()
    const stored = new Map([['k1', 'active']])
    let reads = 0
    const keys = new CredentialCache<string>({ kind: CredentialKinds.projectKey, load: async (id) => (reads++, stored.get(id) ?? null), ttlMs: 600_000 })
    await keys.listen(cache, logger)
    expect(await keys.get('k1')).toBe('active')
    stored.set('k1', 'revoked')
    expect(await keys.get('k1')).toBe('active')
    expect(reads).toBe(1)

    // Another kind's announcement leaves it alone; its own kind drops it.
    const heard = new Promise<void>((resolve) => void cache.subscribe('credential-changes', () => resolve()))
    await announceCredentialChange(cache, logger, CredentialKinds.apiToken, 'k1')
    await heard
    expect(await keys.get('k1')).toBe('active')
    const heardAgain = new Promise<void>((resolve) => void cache.subscribe('credential-changes', () => resolve()))
    await announceCredentialChange(cache, logger, CredentialKinds.projectKey, 'k1')
    await heardAgain
    expect(await keys.get('k1')).toBe('revoked')
    await keys.close()
    await cache.close()
  })

  it('does not keep what a lookup read while the credential was being changed', async () => {
    let loads = 0
    const tokens = new CredentialCache<string>({ kind: CredentialKinds.apiToken, load: async () => `read ${++loads}`, ttlMs: 600_000 })
    const inFlight = tokens.get('t1')
    tokens.forget('t1')
    expect(await inFlight).toBe('read 1')
    expect(await tokens.get('t1')).toBe('read 2')
    expect(await tokens.get('t1')).toBe('read 2')
  })
})
