/** Settings validation, the versioned settings store on SQLite, linear patterns and keyed hashes. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSqliteMetadataStore } from '../adapters/metadata'
import { createKeyring, generateMasterKey, openSecretStore, parseMasterKey } from '../secrets'
import { compileLinearPattern, effectiveRules, keyedHash, packRulesOf, privacySettingsSchema, PrivacySettingsStore, projectHashKey } from '.'

const dir = mkdtempSync(join(tmpdir(), 'faultline-privacy-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('settings', () => {
  it('defaults to both packs, hashed addresses and emails, 90 days', () => {
    expect(privacySettingsSchema.parse({})).toEqual({
      packs: { default: true, healthcare: true },
      disabledRules: [],
      customRules: [],
      allowKeys: [],
      ipAddresses: 'hash',
      userEmail: 'hash',
      retentionDays: 90,
    })
  })

  it('orders custom rules first and leaves out disabled pack rules', () => {
    const settings = privacySettingsSchema.parse({ packs: { healthcare: false }, disabledRules: ['emails'], customRules: [{ id: 'mine', keys: { exact: ['x'] } }] })
    const ids = effectiveRules(settings).map((rule) => rule.id)
    expect(ids[0]).toBe('mine')
    expect(ids).not.toContain('emails')
    expect(ids).not.toContain('person-names')
    expect(ids).toHaveLength(1 + packRulesOf('default').length - 1)
  })

  it('gives every pack rule a unique id', () => {
    const ids = [...packRulesOf('default'), ...packRulesOf('healthcare')].map((rule) => rule.id)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('refuses duplicate custom rule ids and rules matching both keys and values', () => {
    expect(privacySettingsSchema.safeParse({ customRules: [{ id: 'a', keys: { exact: ['x'] } }, { id: 'a', keys: { exact: ['y'] } }] }).success).toBe(false)
    expect(privacySettingsSchema.safeParse({ customRules: [{ id: 'a', keys: { exact: ['x'] }, value: { detector: 'email' } }] }).success).toBe(false)
    expect(privacySettingsSchema.safeParse({ customRules: [{ id: 'a', keys: {} }] }).success).toBe(false)
  })
})

describe('linear patterns', () => {
  it('compiles what the linear engine runs and refuses backtracking and empty matches with a reason', () => {
    const ok = compileLinearPattern('MRN[0-9]{6,8}')
    expect(ok.ok && 'x MRN1234567 y'.replace(ok.regex, '#')).toBe('x # y')
    expect(compileLinearPattern('(a)\\1')).toMatchObject({ ok: false, reason: expect.stringMatching(/linear time/) })
    expect(compileLinearPattern('(?<=a)b')).toMatchObject({ ok: false, reason: expect.stringMatching(/linear time/) })
    expect(compileLinearPattern('a*')).toMatchObject({ ok: false, reason: expect.stringMatching(/empty string/) })
    expect(compileLinearPattern('(')).toMatchObject({ ok: false })
  })

  it('runs a pattern that would backtrack exponentially in linear time', () => {
    const compiled = compileLinearPattern('(a+)+$')
    expect(compiled.ok).toBe(true)
    const text = `${'a'.repeat(100_000)}b`
    expect(compiled.ok && compiled.regex.test(text)).toBe(false)
  })
})

describe('settings store', () => {
  it('stores versions with compare-and-set and keeps every version in the history', async () => {
    const metadata = createSqliteMetadataStore({ path: join(dir, 'settings.sqlite') })
    const store = await PrivacySettingsStore.open(metadata, { scrubIpAddresses: true })
    expect(await store.get('9', '1')).toMatchObject({ version: 0, settings: { ipAddresses: 'remove' } })
    const seven = privacySettingsSchema.parse({ retentionDays: 7 })
    const first = await store.update('9', '1', seven, { expectedVersion: 0, actor: 'a', now: 1000 })
    expect(first).toMatchObject({ ok: true, current: { version: 1, updatedBy: 'a', updatedAt: 1000 } })
    expect(await store.update('9', '1', seven, { expectedVersion: 0, actor: 'b' })).toMatchObject({ ok: false, reason: 'version_conflict', current: { version: 1 } })
    const racing = await Promise.all([store.update('9', '1', seven, { expectedVersion: 1, actor: 'c' }), store.update('9', '1', seven, { expectedVersion: 1, actor: 'd' })])
    expect(racing.filter((r) => r.ok)).toHaveLength(1)
    expect((await store.history('9', '1', { limit: 10 })).map((h) => [h.version, h.changedBy])).toEqual([[2, expect.stringMatching(/^[cd]$/)], [1, 'a']])
    expect((await store.history('9', '1', { limit: 10, beforeVersion: 2 })).map((h) => h.version)).toEqual([1])
    // Another organization naming the project (its id guessed) reads the defaults and no history, and cannot write.
    expect(await store.get('8', '1')).toMatchObject({ version: 0 })
    expect(await store.history('8', '1', { limit: 10 })).toEqual([])
    expect(await store.update('8', '1', seven, { expectedVersion: 0, actor: 'e' })).toMatchObject({ ok: false, reason: 'version_conflict' })
    expect(await store.get('9', '1')).toMatchObject({ version: 2 })
    await metadata.close()
  })
})

describe('project hashing secret', () => {
  it('is created once, sealed, and keys a hash that differs per kind', async () => {
    const metadata = createSqliteMetadataStore({ path: join(dir, 'secrets.sqlite') })
    const secrets = await openSecretStore(metadata, createKeyring(parseMasterKey(generateMasterKey(), 'test')))
    const [a, b] = await Promise.all([projectHashKey(secrets, '9'), projectHashKey(secrets, '9')])
    expect(a).toBe(b)
    expect(await projectHashKey(secrets, '10')).not.toBe(a)
    expect(keyedHash(a, 'email', 'x@y.z')).toMatch(/^email:[0-9a-f]{12}$/)
    expect(keyedHash(a, 'email', 'x@y.z').slice(6)).not.toBe(keyedHash(a, 'ip', 'x@y.z').slice(3))
    await metadata.close()
  })
})
