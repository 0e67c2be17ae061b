import { describe, expect, it } from 'vitest'
import { TemplateMiner, TemplateRegistry, digitMaskBaseline, generateTemplateCorpus, groupingAccuracy } from './index'
import type { LegacyState } from './index'

/** Mines messages and returns the live template id of each after the miner settled. */
function mine(miner: TemplateMiner, messages: readonly string[]): string[] {
  const ids = messages.map((m, i) => miner.add(m, i).templateId)
  miner.settle()
  return ids.map((id) => miner.resolve(id))
}

describe('TemplateMiner', () => {
  it('turns messages that differ in numbers into one template with their values', () => {
    const miner = new TemplateMiner()
    const a = miner.add('timeout after 3012 ms for user 88', 1)
    const b = miner.add('timeout after 17 ms for user 4', 2)
    expect(b.templateId).toBe(a.templateId)
    expect(b.template).toBe('timeout after <*> for user <*>')
    expect(b.variables).toEqual(['17 ms', '4'])
    expect(miner.get(a.templateId)).toMatchObject({ count: 2, firstSeen: 1, lastSeen: 2 })
  })

  it('keeps keys and punctuation around values and returns the bare values', () => {
    const miner = new TemplateMiner()
    miner.add('acquire lock=237091223, flags=0x1, uid=1000', 1)
    const match = miner.add('acquire lock=189667585, flags=0x5, uid=1001', 2)
    expect(match.template).toBe('acquire lock=<*>, flags=<*>, uid=<*>')
    expect(match.variables).toEqual(['189667585', '0x5', '1001'])
  })

  it('keeps events apart that differ in a constant at one position: verbs, protocols, states', () => {
    const miner = new TemplateMiner()
    const verbs = ['opened', 'closed', 'reset']
    const protocols = ['HTTP', 'gRPC']
    const messages: string[] = []
    for (let i = 0; i < 60; i++) {
      messages.push(`Connection to db-${i} was ${verbs[i % 3]} after ${i} ms`)
      messages.push(`${protocols[i % 2]} listener started on port ${1000 + i}`)
      messages.push(`Session ${i}_${i * 7} initialized by client ${i % 5 === 0 ? 'SPP.' : 'WindowsUpdateAgent.'}`)
    }
    const ids = mine(miner, messages)
    const templates = new Set(ids.map((id) => miner.get(id)!.template))
    expect([...templates].sort()).toEqual([
      'Connection to <*> was closed after <*>',
      'Connection to <*> was opened after <*>',
      'Connection to <*> was reset after <*>',
      'HTTP listener started on port <*>',
      'Session <*> initialized by client SPP.',
      'Session <*> initialized by client WindowsUpdateAgent.',
      'gRPC listener started on port <*>',
    ])
  })

  it('merges a position holding more different words than constants do: a variable', () => {
    const miner = new TemplateMiner()
    const users = ['admin', 'oracle', 'test', 'guest', 'ftpuser', 'pi']
    const ids = mine(miner, users.flatMap((user, i) => [`Invalid user ${user} from 10.0.0.${i}`, `Invalid user ${user} from 10.0.1.${i}`]))
    expect(new Set(ids).size).toBe(1)
    expect(miner.get(ids[0]!)!.template).toBe('Invalid user <*> from <*>')
    // The merged template takes new values directly, and their ids resolve to the first one.
    expect(miner.add('Invalid user mallory from 10.9.9.9').templateId).toBe(ids[0])
  })

  it('reads one value however it is written: units, a bracketed second rendering, lists', () => {
    const miner = new TemplateMiner()
    const ids = mine(miner, [
      'proxy.example.com:5070 close, 2717 bytes (2.65 KB) sent, 1911 bytes received, lifetime 04:50',
      'long.open.weixin.qq.com:443 close, 276 bytes sent, 36698 bytes (35.8 KB) received, lifetime <1 sec',
      'Warning: failed to resolve data source name an910 an911 an912',
      'Warning: failed to resolve data source name an398',
    ])
    expect(ids[1]).toBe(ids[0])
    expect(ids[3]).toBe(ids[2])
    expect(miner.get(ids[0]!)!.template).toBe('<*> close, <*> sent, <*> received, lifetime <*>')
  })

  it('gives a message of values only the template of values only, never one per message', () => {
    const miner = new TemplateMiner()
    const ids = mine(miner, ['req123 E11000 user_42', 'a1 b2', 'x9 y8 z7 w6 v5 u4', '0xdeadbeef'])
    expect(new Set(ids).size).toBe(1)
    expect(miner.get(ids[0]!)!.template).toBe('<*>')
    // That template does not swallow words of the same length.
    expect(miner.add('handleTimeUpdate').templateId).not.toBe(ids[0])
  })

  it('matches without learning', () => {
    const miner = new TemplateMiner()
    miner.add('disk full on volume 3')
    expect(miner.match('disk full on volume 9')?.variables).toEqual(['9'])
    expect(miner.match('something else entirely')).toBeUndefined()
    expect(miner.size).toBe(1)
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

  it('replays its structural changes onto another miner (the write-ahead record)', () => {
    const corpus = generateTemplateCorpus(8, 1500).map((m) => m.message)
    const live = new TemplateMiner()
    const follower = new TemplateMiner()
    for (let at = 0; at < corpus.length; at += 100) {
      for (const m of corpus.slice(at, at + 100)) live.add(m, at)
      follower.applyChanges(JSON.parse(JSON.stringify(live.takeChanges())))
    }
    expect(follower.templates().map((t) => [t.templateId, t.template]).sort()).toEqual(live.templates().map((t) => [t.templateId, t.template]).sort())
    expect(follower.aliases()).toEqual(live.aliases())
    expect(live.takeChanges()).toEqual({ upserted: [], removed: [], aliases: {} })
  })

  it('reads a state saved by the previous miner (version 1) with its ids', () => {
    const legacy: LegacyState = {
      version: 1,
      clusters: [{ id: 'aaaaaaaaaaaaaaaa', tokens: ['timeout', 'after', '<int>', 'ms', 'for', 'user', '<int>'], count: 5, firstSeen: 1, lastSeen: 9 }],
      aliases: { bbbbbbbbbbbbbbbb: 'aaaaaaaaaaaaaaaa' },
    }
    const miner = TemplateMiner.fromJSON(legacy)
    expect(miner.add('timeout after 12 ms for user 4').templateId).toBe('aaaaaaaaaaaaaaaa')
    expect(miner.resolve('bbbbbbbbbbbbbbbb')).toBe('aaaaaaaaaaaaaaaa')
    expect(miner.get('aaaaaaaaaaaaaaaa')).toMatchObject({ template: 'timeout after <*> for user <*>', count: 6 })
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

  it('drops the least recently seen templates beyond the cap', () => {
    const miner = new TemplateMiner({ maxTemplates: 3 })
    const old = miner.add('alpha one thing', 1)
    miner.add('beta other stuff here', 2)
    miner.add('gamma', 3)
    miner.add('delta and more words here too', 4)
    expect(miner.size).toBe(3)
    expect(miner.get(old.templateId)).toBeUndefined()
    expect(miner.takeChanges().removed).toEqual([old.templateId])
  })

  it('coarsens a token count past its cap, most varied position first', () => {
    const miner = new TemplateMiner({ maxTemplatesPerLength: 8 })
    // Three words at three positions: constants by the consolidation rule, 27 templates.
    const words = ['alpha', 'beta', 'gamma']
    for (const a of words) for (const b of words) for (const c of ['gold', 'silver', 'bronze']) miner.add(`${a} degraded in ${b} ${c}`)
    expect(miner.size).toBeLessThanOrEqual(4)
    for (const t of miner.templates()) expect(t.template).toMatch(/^<\*> degraded in (<\*>|alpha|beta|gamma) (<\*>|gold|silver|bronze)$/)
    // The coarse templates are catch-alls: new words at their wildcards join them.
    expect(miner.add('delta degraded in omega gold').change).toBe('none')
  })

  it('reaches the accuracy target on the generated corpus, ahead of the digit baseline', () => {
    const corpus = generateTemplateCorpus(42, 5000)
    const truth = corpus.map((m) => m.truth)
    const accuracy = groupingAccuracy(mine(new TemplateMiner(), corpus.map((m) => m.message)), truth)
    expect(accuracy).toBeGreaterThanOrEqual(0.97)
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
