/** The notification log's claims on a real SQLite metadata file shared by two connections, as two replicas share it. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createMetadataStore } from '@faultline/core/adapters/metadata'
import type { MetadataStore } from '@faultline/core/ports'
import { NotificationLog } from './notification-log'

const dir = mkdtempSync(join(tmpdir(), 'fl-nflog-'))
const opened: MetadataStore[] = []
const open = async (claimTimeoutMs: number) => {
  const metadata = await createMetadataStore({ sqlitePath: join(dir, 'metadata.sqlite') })
  opened.push(metadata)
  return NotificationLog.open(metadata, claimTimeoutMs)
}

afterAll(async () => {
  for (const metadata of opened) await metadata.close()
  rmSync(dir, { recursive: true, force: true })
})

const entry = (now: number) => ({ orgId: 'o', integration: 'r/webhook/0', groupKey: 'g', firing: ['a'], resolved: [], sentAt: now })

describe('notification log claims', () => {
  it('lets exactly one of two replicas claim a send, then moves to the next sequence', async () => {
    const [one, two] = [await open(60_000), await open(60_000)]
    const now = Date.now()
    const claims = await Promise.all([one.claim('o', 'r/webhook/0', 'g', 'one', now), two.claim('o', 'r/webhook/0', 'g', 'two', now)])
    const winners = claims.filter((c) => c !== null)
    expect(winners).toHaveLength(1)
    expect(await one.record(winners[0]!, entry(now), 60_000)).toBe(true)
    expect((await two.get('o', 'r/webhook/0', 'g'))?.seq).toBe(1)
    const next = await two.claim('o', 'r/webhook/0', 'g', 'two', now)
    expect(next?.seq).toBe(2)
  })

  it('takes over a claim whose holder went silent, and refuses a stale record', async () => {
    const [one, two] = [await open(1_000), await open(1_000)]
    const now = Date.now()
    const held = await one.claim('o', 'r/webhook/0', 'stale', 'one', now)
    expect(held).not.toBeNull()
    expect(await two.claim('o', 'r/webhook/0', 'stale', 'two', now + 500)).toBeNull()
    const taken = await two.claim('o', 'r/webhook/0', 'stale', 'two', now + 1_500)
    expect(taken).toEqual(held)
    expect(await two.record(taken!, { ...entry(now), groupKey: 'stale' }, 60_000)).toBe(true)
    // The first holder wakes up and records too: the sequence moved on, so it is told it lost.
    expect(await one.record(held!, { ...entry(now), groupKey: 'stale' }, 60_000)).toBe(false)
  })
})
