import { describe, expect, it } from 'vitest'
import { TemplateMiner, TemplateRegistry, digitMaskBaseline, generateTemplateCorpus, groupingAccuracy } from './index'

describe('TemplateMiner', () => {
  it('turns messages that differ in variables into one template with their values', () => {
    const miner = new TemplateMiner()
    const a = miner.add('timeout after 3012 ms for user 88', 1)
    const b = miner.add('timeout after 17 ms for user 4', 2)
    expect(b.templateId).toBe(a.templateId)
    expect(b.template).toBe('timeout after <int> ms for user <int>')
    expect(b.variables).toEqual(['17', '4'])
    expect(miner.get(a.templateId)).toMatchObject({ count: 2, firstSeen: 1, lastSeen: 2 })
  })

  it('generalizes word variables, also in routing positions, and keeps the first id', () => {
    const miner = new TemplateMiner()
    const first = miner.add('Job nightly-export finished with errors')
    const second = miner.add('Job weekly-export finished with errors')
    expect(second.templateId).toBe(first.templateId)
    expect(second.change).toBe('updated')
    expect(second.template).toBe('Job <*> finished with errors')
    expect(second.variables).toEqual(['weekly-export'])
    expect(miner.add('Job hourly-sync finished with errors').templateId).toBe(first.templateId)
  })

  it('keeps different messages apart', () => {
    const miner = new TemplateMiner()
    const a = miner.add('connection refused by db-primary')
    const b = miner.add('payment declined for order ord_88')
    expect(a.templateId).not.toBe(b.templateId)
    expect(miner.size).toBe(2)
  })

  it('gives the same ids to independent replicas and after a JSON round trip', () => {
    const corpus = generateTemplateCorpus(5, 2000).map((m) => m.message)
    const one = new TemplateMiner()
    const two = new TemplateMiner()
    const idsOne = corpus.map((m) => one.add(m, 0).templateId)
    const idsTwo = corpus.map((m) => two.add(m, 0).templateId)
    expect(idsTwo).toEqual(idsOne)
    const restored = TemplateMiner.fromJSON(JSON.parse(JSON.stringify(one.toJSON())))
    const more = generateTemplateCorpus(6, 500).map((m) => m.message)
    expect(more.map((m) => restored.add(m, 1).templateId)).toEqual(more.map((m) => one.add(m, 1).templateId))
    expect(restored.templates()).toEqual(one.templates())
  })

  it('merges templates on request and maps the old id to the survivor, also after restore', () => {
    const miner = new TemplateMiner()
    const a = miner.add('cache refresh failed for tenant eu', 1)
    const b = miner.add('queue flush failed for shard us', 2)
    expect(a.templateId).not.toBe(b.templateId)
    expect(miner.merge(b.templateId, a.templateId)).toBe(true)
    expect(miner.resolve(b.templateId)).toBe(a.templateId)
    expect(miner.get(b.templateId)).toMatchObject({ template: '<*> <*> failed for <*> <*>', count: 2 })
    const restored = TemplateMiner.fromJSON(miner.toJSON())
    expect(restored.aliases()).toEqual({ [b.templateId]: a.templateId })
    expect(restored.add('queue flush failed for shard ap').templateId).toBe(a.templateId)
    expect(miner.merge(a.templateId, miner.add('a b').templateId)).toBe(false)
  })

  it('matches without learning', () => {
    const miner = new TemplateMiner()
    miner.add('disk full on volume 3')
    expect(miner.match('disk full on volume 9')?.variables).toEqual(['9'])
    expect(miner.match('something else entirely')).toBeUndefined()
    expect(miner.size).toBe(1)
  })

  it('drops the least recently seen template beyond the cap', () => {
    const miner = new TemplateMiner({ maxTemplates: 2 })
    const old = miner.add('alpha one thing', 1)
    miner.add('beta other stuff here', 2)
    miner.add('gamma', 3)
    expect(miner.size).toBe(2)
    expect(miner.get(old.templateId)).toBeUndefined()
  })

  it('reaches the accuracy target on the generated corpus, ahead of the digit baseline', () => {
    const corpus = generateTemplateCorpus(42, 5000)
    const miner = new TemplateMiner()
    const ids = corpus.map((m) => miner.add(m.message, 0).templateId).map((id) => miner.resolve(id))
    const truth = corpus.map((m) => m.truth)
    const accuracy = groupingAccuracy(ids, truth)
    expect(accuracy).toBeGreaterThanOrEqual(0.95)
    expect(accuracy).toBeGreaterThan(groupingAccuracy(digitMaskBaseline(corpus.map((m) => m.message)), truth))
  })
})

describe('groupingAccuracy', () => {
  it('counts a message correct only when its predicted group equals its true group', () => {
    expect(groupingAccuracy(['a', 'a', 'b'], ['x', 'x', 'y'])).toBe(1)
    expect(groupingAccuracy(['a', 'a', 'a'], ['x', 'x', 'y'])).toBe(0)
    expect(groupingAccuracy(['a', 'b', 'c'], ['x', 'x', 'y'])).toBeCloseTo(1 / 3)
  })
})

describe('TemplateRegistry', () => {
  it('mines each project apart and restores a snapshot', () => {
    const registry = new TemplateRegistry()
    registry.add('p1', 'user 1 logged in')
    registry.add('p2', 'user 2 logged out')
    expect(registry.miner('p1').size).toBe(1)
    expect(registry.projects().sort()).toEqual(['p1', 'p2'])
    const snapshot = registry.snapshot('p1')!
    const other = new TemplateRegistry()
    other.restore('p1', snapshot)
    expect(other.add('p1', 'user 9 logged in').templateId).toBe(registry.add('p1', 'user 7 logged in').templateId)
  })
})
