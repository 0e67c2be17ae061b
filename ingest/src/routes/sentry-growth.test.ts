/**
 * Inputs whose size a sender chooses (object keys, strings, item types) cost ingest time linear in
 * that size at most: each is answered at n and 8n in the same run and the CPU time compared
 * (`costGrowthAsync`). The tier runs alone in this process (no processor consuming beside it, no
 * socket), so the process's CPU time is the ingest work itself: parsing, scrubbing, publishing.
 * Every case is new (`serial`), as an attacker's would be: a repeated key could be answered from
 * a cache and hide the cost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { costGrowthAsync, superLinearGrowth } from '@faultline/core/testing'
import type { ProjectKeyDoc } from '@faultline/core/projects'
import { envelope, errorEvent, openIngestHarness, type IngestHarness } from '../testing/ingest-harness'

let h: IngestHarness
let key: ProjectKeyDoc
beforeAll(async () => {
  h = await openIngestHarness()
  key = (await h.createProject('Growth')).key
})
afterAll(() => h?.close())

let serial = 0
/** Envelopes built at a size n, and that n: at 8n each stays within the limits (an item header's 64 KB), so both sizes do the whole work. */
const sized: Record<string, { n: number; make: (size: number) => string }> = {
  longKey: { n: 48_000, make: (size) => envelope([{ type: 'event', payload: errorEvent({ extra: { [`${serial++}${'A'.repeat(size)}`]: 1, [`${serial++}${'aB'.repeat(size / 2)}`]: 2 } }) }]) },
  longValue: {
    n: 48_000,
    make: (size) => envelope([{ type: 'event', payload: errorEvent({ message: `${serial++} ${'user 12 at 10.0.0.1 password=x card 4111 '.repeat(size / 40)}`, extra: { note: 'A1-'.repeat(size / 3) } }) }]),
  },
  hugeItemType: { n: 7_000, make: (size) => envelope(Array.from({ length: 100 }, () => ({ type: `${serial++}${'T'.repeat(size)}`, payload: {} }))) },
}

describe('ingest cost', () => {
  it.each(Object.keys(sized))('answers %s in CPU time linear in its size', async (kind) => {
    const { n, make } = sized[kind]!
    const answer = (size: number) => async () => {
      const response = await h.post(`/api/${key.projectId}/envelope/?sentry_key=${key._id}`, make(size))
      expect(response.status, await response.text()).toBe(200)
    }
    const growth = await costGrowthAsync(answer(n), answer(8 * n))
    await h.drainBus()
    console.log(`ingest CPU time at 8n over n (n = ${n}), ${kind}: ${growth.ratio.toFixed(1)} (${growth.smallMs.toFixed(2)} ms, ${growth.largeMs.toFixed(2)} ms)`)
    // Linear is at most 8 and quadratic 64 (the quadratic key splitter of issue 8 gave 70).
    expect(growth.ratio, `${kind}: ${growth.smallMs.toFixed(2)} ms at n, ${growth.largeMs.toFixed(2)} ms at 8n`).toBeLessThan(superLinearGrowth)
  }, 120_000)
})
