import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSqliteMetadataStore } from '../adapters/metadata'
import { loadConfig } from '../config'
import { ConfigError } from '../errors'
import { createKeyring, generateMasterKey, generatedKeyFile, loadKeyring, openSecretStore, parseMasterKey, SecretError } from '.'

const dir = mkdtempSync(join(tmpdir(), 'faultline-secrets-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const key = () => parseMasterKey(generateMasterKey(), 'test')

describe('keyring', () => {
  it('seals with a fresh IV and opens only under the same context', () => {
    const ring = createKeyring(key())
    const a = ring.seal('hunter2', 'org:1:smtp-password')
    const b = ring.seal('hunter2', 'org:1:smtp-password')
    expect(a).not.toBe(b)
    expect(a).not.toContain('hunter2')
    expect(ring.open(a, 'org:1:smtp-password')).toBe('hunter2')
    expect(() => ring.open(a, 'org:2:smtp-password')).toThrow(SecretError)
  })

  it('detects a changed byte and an unknown key', () => {
    const ring = createKeyring(key())
    const sealed = ring.seal('value', 'project:3:hash')
    const last = sealed.at(-2) === 'A' ? 'B' : 'A'
    const tampered = `${sealed.slice(0, -2)}${last}${sealed.at(-1)}`
    expect(() => ring.open(tampered, 'project:3:hash')).toThrow(/failed authentication/)
    expect(() => createKeyring(key()).open(sealed, 'project:3:hash')).toThrow(/neither SECRET_KEY/)
    expect(() => ring.open('fl1.zz.x.y', 'project:3:hash')).toThrow(/not a sealed secret/)
  })

  it('opens values of a previous key and says they need resealing', () => {
    const old = key()
    const sealed = createKeyring(old).seal('v', 'org:1:slack-token')
    const rotated = createKeyring(key(), [old])
    expect(rotated.open(sealed, 'org:1:slack-token')).toBe('v')
    expect(rotated.needsReseal(sealed)).toBe(true)
    expect(rotated.needsReseal(rotated.seal('v', 'org:1:slack-token'))).toBe(false)
  })

  it('accepts hex and base64 keys and refuses anything else', () => {
    expect(parseMasterKey('ab'.repeat(32), 'K')).toHaveLength(32)
    expect(parseMasterKey(Buffer.alloc(32, 7).toString('base64url'), 'K')).toHaveLength(32)
    expect(() => parseMasterKey('short', 'SECRET_KEY')).toThrow(/SECRET_KEY must be a 32-byte key/)
    expect(() => parseMasterKey(Buffer.alloc(31).toString('base64'), 'K')).toThrow(SecretError)
  })
})

describe('secret store', () => {
  it('keeps only sealed values and re-seals them all under a rotated key', async () => {
    const path = join(dir, 'store.sqlite')
    const oldKey = key()
    const metadata = createSqliteMetadataStore({ path })
    const store = await openSecretStore(metadata, createKeyring(oldKey))
    await store.put('org:1:smtp-password', 'pa55word')
    await store.put('project:3:scrub-hash-key', 'k3y')
    expect(readFileSync(path).includes(Buffer.from('pa55word'))).toBe(false)
    expect(await store.names('org:1:')).toEqual(['org:1:smtp-password'])

    const rotated = await openSecretStore(metadata, createKeyring(key(), [oldKey]))
    expect(await rotated.rotate()).toBe(2)
    expect(await rotated.rotate()).toBe(0)
    expect(await rotated.get('org:1:smtp-password')).toBe('pa55word')
    // After rotation the old key alone no longer opens anything.
    await expect(store.get('org:1:smtp-password')).rejects.toThrow(SecretError)
    expect(await rotated.delete('project:3:scrub-hash-key')).toBe(true)
    expect(await rotated.get('project:3:scrub-hash-key')).toBeNull()
    await expect(rotated.put('bad name', 'x')).rejects.toThrow(TypeError)
    await metadata.close()
  })
})

describe('loadKeyring', () => {
  it('generates one key file per embedded data directory, readable only by its owner', () => {
    const dataDir = mkdtempSync(join(dir, 'data-'))
    const config = loadConfig({ DATA_DIR: dataDir })
    const first = loadKeyring(config)
    expect((statSync(join(dataDir, generatedKeyFile)).mode & 0o777).toString(8)).toBe('600')
    expect(loadKeyring(config).currentKeyId).toBe(first.currentKeyId)
  })

  it('takes SECRET_KEY and SECRET_KEY_FILE, and requires one with MongoDB', () => {
    const hex = 'cd'.repeat(32)
    const fromEnv = loadKeyring(loadConfig({ DATA_DIR: dir, SECRET_KEY: hex }))
    expect(fromEnv.currentKeyId).toBe(createKeyring(Buffer.from(hex, 'hex')).currentKeyId)
    const file = join(dir, 'key.txt')
    writeFileSync(file, `${hex}\n`)
    expect(loadKeyring(loadConfig({ DATA_DIR: dir, SECRET_KEY_FILE: file })).currentKeyId).toBe(fromEnv.currentKeyId)
    expect(() => loadKeyring(loadConfig({ DATA_DIR: dir, MONGODB_URL: 'mongodb://127.0.0.1:1' }))).toThrow(ConfigError)
    expect(() => loadKeyring(loadConfig({ DATA_DIR: dir, SECRET_KEY: 'nope' }))).toThrow(/SECRET_KEY must be/)
  })

  it('creates a secret only once, so racing replicas agree on the stored one', async () => {
    const metadata = createSqliteMetadataStore({ path: join(dir, 'create.sqlite') })
    const store = await openSecretStore(metadata, createKeyring(key()))
    const results = await Promise.all([store.create('project:4:scrub-hash-key', 'first'), store.create('project:4:scrub-hash-key', 'second')])
    expect(results.filter(Boolean)).toHaveLength(1)
    expect(await store.get('project:4:scrub-hash-key')).toBe(results[0] ? 'first' : 'second')
    await metadata.close()
  })
})
