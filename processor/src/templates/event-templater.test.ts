import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSqliteMetadataStore } from '@faultline/core/adapters/metadata'
import { createLogger } from '@faultline/core/log'
import { MetricsRegistry } from '@faultline/core/metrics'
import type { Collection, Document, MetadataStore } from '@faultline/core/ports'
import { TemplateMiner, templateJournalCollection } from '@faultline/intelligence'
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
    expect(events[1]!.template).toBe('timeout after <*> for user <*>')
    expect(events[2]!.templateId).not.toBe(events[0]!.templateId)
    expect(events[2]!.templateId).toMatch(/^[0-9a-f]{16}$/)
  })

  it('keeps template ids across a restart from the saved state, also for generalized templates', async () => {
    const metadata = freshStore()
    const first = templater(metadata)
    const jobs = ['nightly-export', 'weekly-export', 'hourly-sync', 'daily-report'].map((job) => `Job ${job} finished with errors`)
    const before = await mine(first, [...jobs, 'timeout after 3012 ms for user 88'])
    await first.saveAll()

    const restarted = templater(metadata)
    const after = await mine(restarted, ['Job monthly-audit finished with errors', 'timeout after 17 ms for user 4'])
    const job = (await TemplateStateStore.open(metadata).then((s) => s.load(org, '1')))!.state
    const live = TemplateMiner.fromJSON(job)
    // Four different words at one position made it a variable: all five are one template now.
    expect(new Set([...before.slice(0, 4), after[0]!].map((e) => live.resolve(e.templateId!))).size).toBe(1)
    expect(after[0]!.template).toBe('Job <*> finished with errors')
    expect(after[1]!.templateId).toBe(before[4]!.templateId)

    // Without the saved state the word variant would have started a template of its own.
    const unsaved = await mine(templater(freshStore()), ['Job monthly-audit finished with errors'])
    expect(unsaved[0]!.template).toBe('Job monthly-audit finished with errors')
  })

  it('keeps every template and merge of a crash before any snapshot (the journal)', async () => {
    const metadata = freshStore()
    const crashed = templater(metadata, { saveIntervalMs: 3_600_000 })
    const users = ['admin', 'oracle', 'test', 'guest']
    const before = await mine(crashed, users.map((user) => `Invalid user ${user} from 10.0.0.1`))
    // No save: the process dies here. The events are stored with these ids.
    const store = await TemplateStateStore.open(metadata)
    expect(await store.load(org, '1')).toBeUndefined()

    const restarted = templater(metadata)
    const after = await mine(restarted, ['Invalid user mallory from 10.0.0.2'])
    expect(after[0]!.template).toBe('Invalid user <*> from <*>')
    await restarted.saveAll()
    const saved = TemplateMiner.fromJSON((await store.load(org, '1'))!.state)
    for (const event of [...before, ...after]) expect(saved.resolve(event.templateId!)).toBe(saved.resolve(after[0]!.templateId!))
    // The snapshot holds the journal now, so the journal is dropped.
    expect(await store.journal(org, '1')).toEqual([])
  })

  it('fails the batch when the journal cannot be written, and writes it with the retry', async () => {
    const metadata = freshStore()
    const flaky = failingJournal(metadata)
    const t = templater(flaky.store)
    flaky.failing = true
    const events = [event('queue full on shard 1')]
    await expect(t.assign(events)).rejects.toMatchObject({ code: 'journal_failed' })
    flaky.failing = false
    await t.assign(events) // the retry of the same batch: the events keep their template
    const restarted = await mine(templater(metadata), ['queue full on shard 2'])
    expect(restarted[0]!.templateId).toBe(events[0]!.templateId)
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
    expect((await store.load(org, '1'))?.state.clusters.map((c) => c.tokens.join(' '))).toEqual(['cache miss for key <*>'])
    expect((await store.load(org, '2'))?.state.clusters.map((c) => c.tokens.join(' '))).toEqual(['lock held by worker <*>'])
  })

  it('merges with another replica on save, so neither loses templates', async () => {
    const metadata = freshStore()
    const a = templater(metadata)
    const b = templater(metadata)
    const fromA = await mine(a, ['payment declined for order 1', 'Job nightly-export finished with errors', 'Job weekly-export finished with errors'])
    const fromB = await mine(b, ['connection refused by db-primary', 'Job hourly-sync finished with errors', 'Job daily-report finished with errors'])
    await a.saveAll()
    await b.saveAll()
    const store = await TemplateStateStore.open(metadata)
    const saved = await store.load(org, '1')
    expect(saved?.revision).toBe(2)

    const c = templater(metadata)
    const again = await mine(c, ['payment declined for order 2', 'connection refused by db-primary'])
    expect(again[0]!.templateId).toBe(fromA[0]!.templateId)
    expect(again[1]!.templateId).toBe(fromB[0]!.templateId)
    // Each side saw two words at one position; together four: one template, as one miner would have made.
    const merged = TemplateMiner.fromJSON(saved!.state)
    const jobIds = [fromA[1], fromA[2], fromB[1], fromB[2]].map((e) => merged.resolve(e!.templateId!))
    expect(new Set(jobIds).size).toBe(1)
    expect(merged.get(jobIds[0]!)!.template).toBe('Job <*> finished with errors')
    expect((await mine(c, ['Job monthly-audit finished with errors']))[0]!.templateId).toBe(jobIds[0])
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
      ['disk full on volume <*>', 3, 5, 12],
      ['lock timeout on table users', 1, 6, 6],
    ])
  })
})

/** A metadata store whose journal inserts fail while `failing` is set. */
function failingJournal(metadata: MetadataStore): { store: MetadataStore; failing: boolean } {
  const handle = { failing: false, store: metadata }
  handle.store = {
    ...metadata,
    kind: metadata.kind,
    ping: () => metadata.ping(),
    close: () => metadata.close(),
    async collection<T extends Document>(spec: Parameters<MetadataStore['collection']>[0]): Promise<Collection<T>> {
      const collection = await metadata.collection<T>(spec)
      if (spec.name !== templateJournalCollection.name) return collection
      return new Proxy(collection, {
        get(target, key, receiver) {
          if (key === 'insert' && handle.failing) return () => Promise.reject(new Error('disk full'))
          const value = Reflect.get(target, key, receiver) as unknown
          return typeof value === 'function' ? value.bind(target) : value
        },
      })
    },
  }
  return handle
}
