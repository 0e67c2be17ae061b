import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSqliteMetadataStore } from '../adapters/metadata'
import type { Collection, MetadataStore } from '../ports/metadata'
import { AuditLog, type AuditDoc, type AuditEntry } from './audit-log'

const dir = mkdtempSync(join(tmpdir(), 'faultline-audit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

const entry = (n: number, orgId = '1'): AuditEntry => ({
  action: n % 2 ? 'authn_login_fail' : 'authn_login_success',
  outcome: n % 2 ? 'failure' : 'success',
  orgId,
  actor: { type: 'user', id: String(n), name: `user${n}@example.test` },
  ip: '203.0.113.7',
  detail: { attempt: n },
})

async function logWith(count: number): Promise<{ store: MetadataStore; log: AuditLog; raw: Collection<AuditDoc> }> {
  const store = createSqliteMetadataStore({ path: join(dir, `a${files++}.sqlite`) })
  const log = await AuditLog.open(store)
  for (let i = 1; i <= count; i++) await log.append(entry(i))
  const raw = await store.collection<AuditDoc>({ name: 'audit_log', indexes: [] })
  return { store, log, raw }
}

describe('AuditLog', () => {
  it('chains appends from two processes into one unbroken sequence', async () => {
    const path = join(dir, 'shared.sqlite')
    const [one, two] = [createSqliteMetadataStore({ path }), createSqliteMetadataStore({ path })]
    const [a, b] = [await AuditLog.open(one), await AuditLog.open(two)]
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).append(entry(i + 1))))
    const result = await a.verify(7)
    expect(result).toMatchObject({ ok: true, records: 40 })
    expect((await b.search({ limit: 1000 })).map((d) => d.seq)).toEqual(Array.from({ length: 40 }, (_, i) => 40 - i))
    await one.close()
    await two.close()
  })

  it('detects a changed record', async () => {
    const { store, log, raw } = await logWith(10)
    await raw.updateMany({ seq: 4 }, { $set: { 'detail.attempt': 99 } })
    expect(await log.verify()).toEqual({ ok: false, records: 3, brokenAt: 4, problem: 'changed' })
    await store.close()
  })

  it('detects a removed record', async () => {
    const { store, log, raw } = await logWith(10)
    await raw.deleteMany({ seq: 6 })
    expect(await log.verify()).toEqual({ ok: false, records: 5, brokenAt: 6, problem: 'missing' })
    await store.close()
  })

  it('detects reordered records and a rewritten record whose own hash was recomputed', async () => {
    const { store, log, raw } = await logWith(10)
    const [r3, r4] = [(await raw.get('a00000000000003')) as AuditDoc, (await raw.get('a00000000000004')) as AuditDoc]
    await raw.put({ ...r4, _id: r3._id, seq: 3 })
    await raw.put({ ...r3, _id: r4._id, seq: 4 })
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: 3 })
    await store.close()

    const second = await logWith(5)
    const { recordHash } = await import('./audit-log')
    const r2 = (await second.raw.get('a00000000000002')) as AuditDoc
    const forged = { ...r2, detail: { attempt: 1234 } }
    const { _id, hash, ...body } = forged
    await second.raw.put({ ...forged, _id, hash: recordHash(body) })
    expect(hash).toBe(r2.hash)
    expect(await second.log.verify()).toEqual({ ok: false, records: 2, brokenAt: 3, problem: 'reordered' })
    await second.store.close()
  })

  it('searches by organization, action, actor and time, newest first, with keyset pages', async () => {
    const { store, log } = await logWith(0)
    for (let i = 1; i <= 6; i++) await log.append(entry(i, i <= 3 ? '1' : '2'), 1000 * i)
    expect((await log.search({ orgId: '2' })).map((d) => d.seq)).toEqual([6, 5, 4])
    expect((await log.search({ action: 'authn_login_fail' })).map((d) => d.seq)).toEqual([5, 3, 1])
    expect((await log.search({ actorId: '2' })).map((d) => d.seq)).toEqual([2])
    expect((await log.search({ since: 2000, until: 4000 })).map((d) => d.seq)).toEqual([4, 3, 2])
    expect((await log.search({ beforeSeq: 3, limit: 1 })).map((d) => d.seq)).toEqual([2])
    await store.close()
  })
})
