import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSqliteMetadataStore } from '@faultline/core/adapters/metadata'
import { createLogger } from '@faultline/core/log'
import { MetricsRegistry } from '@faultline/core/metrics'
import type { MetadataStore } from '@faultline/core/ports'
import { TemplateMiner } from '@faultline/intelligence'
import { normalizeEvent } from '../normalize'
import { EventTemplater, TemplatePersistenceError, TemplateStateStore, mergeMinerStates, type EventTemplaterOptions, type Templated } from './index'

const dir = mkdtempSync(join(tmpdir(), 'faultline-templates-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let files = 0
const freshStore = (): MetadataStore => createSqliteMetadataStore({ path: join(dir, `metadata-${files++}.sqlite`), optimizeIntervalMs: 0 })
const logs: string[] = []
const logger = createLogger('error', {}, (line) => logs.push(line))
/** Every project of these tests belongs to one organization. */
const org = 'o1'

function templater(metadata: MetadataStore, options: Partial<EventTemplaterOptions> = {}): EventTemplater {
  return new EventTemplater({ metadata, logger, metrics: new MetricsRegistry(), organizationOf: async () => org }, options)
}

function event(text: string, projectId = '1', exception = false): Templated {
  const raw = exception ? { exception: { values: [{ type: 'TimeoutError', value: text }] } } : { message: text }
  const result = normalizeEvent({ ...raw, timestamp: 1_700_000_000 }, { projectId, receivedAt: 1_700_000_000_000 })
  if (!result.ok) throw new Error(result.reason)
  return { event: result.event }
}

async function mine(t: EventTemplater, texts: string[], projectId = '1'): Promise<Templated[]> {
  const events = texts.map((text) => event(text, projectId))
  await t.assign(events)
  return events
}

describe('EventTemplater', () => {
  it('templates messages and outermost exception values', async () => {
    const t = templater(freshStore())
    const events = [event('timeout after 3012 ms for user 88'), event('timeout after 17 ms for user 4', '1', true), event('disk full on volume 3')]
    await t.assign(events)
    expect(events[1]!.templateId).toBe(events[0]!.templateId)
    expect(events[1]!.template).toBe('timeout after <int> ms for user <int>')
    expect(events[2]!.templateId).not.toBe(events[0]!.templateId)
    expect(events[2]!.templateId).toMatch(/^[0-9a-f]{16}$/)
  })

  it('keeps template ids across a restart from the saved state, also for generalized templates', async () => {
    const metadata = freshStore()
    const first = templater(metadata)
    const before = await mine(first, ['Job nightly-export finished with errors', 'Job weekly-export finished with errors', 'timeout after 3012 ms for user 88'])
    expect(before[1]!.templateId).toBe(before[0]!.templateId)
    await first.saveAll()

    const restarted = templater(metadata)
    const after = await mine(restarted, ['Job hourly-sync finished with errors', 'timeout after 17 ms for user 4'])
    expect(after[0]!.templateId).toBe(before[0]!.templateId)
    expect(after[0]!.template).toBe('Job <*> finished with errors')
    expect(after[1]!.templateId).toBe(before[2]!.templateId)

    // Without the saved state the first word variant would have started a template of its own.
    const unsaved = await mine(templater(freshStore()), ['Job hourly-sync finished with errors'])
    expect(unsaved[0]!.templateId).not.toBe(before[0]!.templateId)
  })

  it('saves changed templates at most once per interval, counts-only changes less often', async () => {
    const metadata = freshStore()
    const store = await TemplateStateStore.open(metadata)
    const t = templater(metadata, { saveIntervalMs: 5_000, countsSaveIntervalMs: 60_000 })
    const start = Date.now()
    await mine(t, ['queue full on shard 1'])
    await t.saveDue(start + 1_000)
    expect(await store.load(org, '1')).toBeUndefined()
    await t.saveDue(start + 6_000)
    expect((await store.load(org, '1'))?.revision).toBe(1)

    await mine(t, ['queue full on shard 2'])
    await t.saveDue(start + 12_000)
    expect((await store.load(org, '1'))?.revision).toBe(1)
    await t.saveDue(start + 67_000)
    const saved = await store.load(org, '1')
    expect(saved?.revision).toBe(2)
    expect(saved?.state.clusters[0]?.count).toBe(2)
    await t.saveAll(start + 68_000)
    expect((await store.load(org, '1'))?.revision).toBe(2)
  })

  it('keeps projects apart', async () => {
    const metadata = freshStore()
    const t = templater(metadata)
    await mine(t, ['cache miss for key 7'], '1')
    await mine(t, ['lock held by worker 3'], '2')
    await t.saveAll()
    const store = await TemplateStateStore.open(metadata)
    expect((await store.load(org, '1'))?.state.clusters.map((c) => c.tokens.join(' '))).toEqual(['cache miss for key <int>'])
    expect((await store.load(org, '2'))?.state.clusters.map((c) => c.tokens.join(' '))).toEqual(['lock held by worker <int>'])
  })

  it('merges with another replica on save, so neither loses templates', async () => {
    const metadata = freshStore()
    const a = templater(metadata)
    const b = templater(metadata)
    const fromA = await mine(a, ['payment declined for order 1', 'Job nightly-export finished with errors'])
    const fromB = await mine(b, ['connection refused by db-primary', 'Job weekly-export finished with errors'])
    await a.saveAll()
    await b.saveAll()
    const store = await TemplateStateStore.open(metadata)
    const saved = await store.load(org, '1')
    expect(saved?.revision).toBe(2)

    const c = templater(metadata)
    const again = await mine(c, ['payment declined for order 2', 'connection refused by db-primary'])
    expect(again[0]!.templateId).toBe(fromA[0]!.templateId)
    expect(again[1]!.templateId).toBe(fromB[0]!.templateId)
    // The two word variants of one template were folded into the older id, the other aliased to it.
    const jobIds = [fromA[1]!.templateId!, fromB[1]!.templateId!]
    const live = saved!.state.clusters.filter((cl) => jobIds.includes(cl.id))
    expect(live).toHaveLength(1)
    expect(live[0]!.tokens.join(' ')).toBe('Job <*> finished with errors')
    const dropped = jobIds.find((id) => id !== live[0]!.id)!
    expect(saved!.state.aliases[dropped]).toBe(live[0]!.id)
    expect((await mine(c, ['Job hourly-sync finished with errors']))[0]!.templateId).toBe(live[0]!.id)
  })

  it('stores an event the miner throws on with an empty template and logs it', async () => {
    const t = templater(freshStore(), {
      miner: {
        mask: (text) => {
          if (text.includes('poison')) throw new Error('mask exploded')
          return text
        },
      },
    })
    logs.length = 0
    const events = await mine(t, ['poison pill 1', 'healthy message'])
    expect(events.map((e) => e.template)).toEqual(['', 'healthy message'])
    expect(events[0]!.templateId).toBe('')
    expect(logs.some((line) => line.includes('template mining failed') && line.includes('mask exploded'))).toBe(true)
  })

  it('fails the batch (to be retried) when the saved state cannot be loaded', async () => {
    const metadata = freshStore()
    await metadata.close()
    await expect(templater(metadata).assign([event('anything')])).rejects.toBeInstanceOf(TemplatePersistenceError)
  })
})

describe('mergeMinerStates', () => {
  it('keeps aliases from either side and folds a template the other side merged away', () => {
    const base = new TemplateMiner()
    const a = base.add('cache refresh failed for tenant eu', 1)
    const b = base.add('queue flush failed for shard us', 2)
    const theirs = TemplateMiner.fromJSON(base.toJSON())
    theirs.merge(b.templateId, a.templateId)
    const mine = TemplateMiner.fromJSON(base.toJSON())
    mine.add('queue flush failed for shard us', 3)

    const merged = TemplateMiner.fromJSON(mergeMinerStates(mine.toJSON(), theirs.toJSON()))
    expect(merged.aliases()).toEqual({ [b.templateId]: a.templateId })
    expect(merged.templates().map((t) => t.templateId)).toEqual([a.templateId])
    expect(merged.get(a.templateId)).toMatchObject({ template: '<*> <*> failed for <*> <*>', firstSeen: 1, lastSeen: 3 })
    expect(merged.add('queue flush failed for shard ap').templateId).toBe(a.templateId)
  })

  it('unions templates by id and keeps the larger count', () => {
    const one = new TemplateMiner()
    const two = new TemplateMiner()
    for (let i = 0; i < 3; i++) one.add(`disk full on volume ${i}`, 10 + i)
    two.add('disk full on volume 9', 5)
    two.add('lock timeout on table users', 6)
    const merged = TemplateMiner.fromJSON(mergeMinerStates(one.toJSON(), two.toJSON()))
    expect(merged.templates().map((t) => [t.template, t.count, t.firstSeen, t.lastSeen]).sort()).toEqual([
      ['disk full on volume <int>', 3, 5, 12],
      ['lock timeout on table users', 1, 6, 6],
    ])
  })
})
