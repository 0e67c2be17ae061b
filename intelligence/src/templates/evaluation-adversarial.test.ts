import { describe, expect, it } from 'vitest'
import { costGrowth, superLinearGrowth } from '@faultline/core/testing'
import { AdversarialKinds, adversarialMessages, type AdversarialKind } from './evaluation-adversarial'
import { TemplateMiner } from './template-miner'

const counts: Record<AdversarialKind, number> = {
  'digit-tokens': 600,
  'unique-words': 600,
  'long-messages': 40,
  'distinct-lengths': 300,
  'regex-bait': 30,
}

describe.each(Object.values(AdversarialKinds))('the miner on %s', (kind) => {
  it('keeps the number of templates bounded', () => {
    const miner = new TemplateMiner()
    const messages = adversarialMessages(kind, counts[kind] * 4, 3)
    const created = messages.filter((m) => miner.add(m, 0).change === 'created').length
    // Far fewer templates than messages, and most messages meet a template that exists.
    expect(miner.size).toBeLessThanOrEqual(kind === 'distinct-lengths' ? 128 : 16)
    expect(created).toBeLessThan(messages.length / 2)
  })

  it('spends time linear in the number of messages', () => {
    const work = (n: number) => {
      const messages = adversarialMessages(kind, n, 5)
      return () => {
        const miner = new TemplateMiner()
        for (const m of messages) miner.add(m, 0)
      }
    }
    const growth = costGrowth(work(counts[kind]), work(8 * counts[kind]))
    expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(superLinearGrowth)
  })
})
