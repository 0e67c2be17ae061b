/**
 * Message streams built to hurt a template miner: each class once made miners create a pattern
 * per message or slow down quadratically. The unit tests and the bench feed them to the miner.
 */
import { createPrng, type Prng } from '../shared/prng'

export const AdversarialKinds = {
  /** Every token carries a digit: `req123 E11000 user_42 …`, 1–40 tokens. */
  digitTokens: 'digit-tokens',
  /** Random words never seen twice, 3–12 tokens. */
  uniqueWords: 'unique-words',
  /** 20–60 KB messages of words and numbers. */
  longMessages: 'long-messages',
  /** One constant word repeated 1–5,000 times: thousands of distinct token counts. */
  distinctLengths: 'distinct-lengths',
  /** Text that makes backtracking regexes crawl: long runs of `a`, `1-`, `a.`, `:`, `@`. */
  regexBait: 'regex-bait',
} as const
export type AdversarialKind = (typeof AdversarialKinds)[keyof typeof AdversarialKinds]

const letters = 'abcdefghijklmnopqrstuvwxyz'

function word(r: Prng, min = 4, max = 10): string {
  let out = ''
  for (let i = r.int(min, max); i > 0; i--) out += letters[r.int(0, 25)]
  return out
}

const makers: Record<AdversarialKind, (r: Prng, i: number) => string> = {
  'digit-tokens': (r) => Array.from({ length: r.int(1, 40) }, () => `${word(r, 1, 4)}${r.int(0, 99999)}${r.chance(0.5) ? `_${r.int(0, 99)}` : ''}`).join(' '),
  'unique-words': (r) => Array.from({ length: r.int(3, 12) }, () => word(r)).join(' '),
  'long-messages': (r) => Array.from({ length: r.int(3000, 9000) }, () => (r.chance(0.3) ? String(r.int(0, 1e6)) : word(r, 2, 8))).join(' '),
  'distinct-lengths': (_r, i) => 'retry '.repeat((i % 5000) + 1).trim(),
  'regex-bait': (r) => {
    const unit = r.pick(['a', '1-', 'a.', ':', 'a@', '0x', 'a-', '1.'])
    return unit.repeat(r.int(2000, 4000)) + r.pick(['', '!', '@', ' x'])
  },
}

/** `count` messages of one kind; the same seed gives the same stream. */
export function adversarialMessages(kind: AdversarialKind, count: number, seed = 1): string[] {
  const r = createPrng(seed)
  return Array.from({ length: count }, (_, i) => makers[kind](r, i))
}
