/**
 * The platform conformance corpus (`normalize/fixtures/platforms/`): every SDK shape is stored
 * with all its frames, its title, culprit and grouping, and groups by its stack when it has one.
 */
import { describe, expect, it } from 'vitest'
import { normalizeEvent, type NormalizedEvent } from '../normalize'
import { eachRawFrame, framesPerStack, loadCorpus, otherCode, redeployed } from '../normalize/fixtures/platforms/corpus'
import { computeGrouping, GroupingStrategy } from './index'

const corpus = loadCorpus()

function normalize(raw: Record<string, unknown>): NormalizedEvent {
  const result = normalizeEvent(raw, { projectId: '1', receivedAt: Date.UTC(2025, 0, 10, 10) })
  if (!result.ok) throw new Error(result.reason)
  return result.event
}

const byStack = new Set<string>([GroupingStrategy.InAppStacktrace, GroupingStrategy.SystemStacktrace])

it('covers every platform shape of issue 16', () => {
  const names = corpus.map((entry) => entry.name)
  for (const shape of ['android', 'ndk', 'dotnet', 'cordova', 'elixir', 'php', 'python', 'javascript', 'unity', 'console', 'csp', 'expect-ct', 'hpkp', 'crashed-thread', 'legacy']) {
    expect(names.some((name) => name.includes(shape)), shape).toBe(true)
  }
})

describe.each(corpus)('$name', ({ event: raw, expect: expected }) => {
  const event = normalize(raw)
  const grouping = computeGrouping(event)

  it('is stored with its title and culprit', () => {
    expect(event.title).toBe(expected.title)
    expect(event.culprit ?? null).toBe(expected.culprit)
  })

  it('keeps every frame it was sent', () => {
    expect(framesPerStack(event)).toEqual(expected.frames)
    let sent = 0
    eachRawFrame(raw, () => sent++)
    const stored = [...event.exceptions, ...(event.stacktrace ? [event.stacktrace] : []), ...(event.threads ?? [])].reduce((n, stack) => n + stack.frames.length, 0)
    // A stack lent by a thread to its exception is kept in both places.
    expect(stored).toBeGreaterThanOrEqual(sent)
  })

  it('groups as Sentry would', () => {
    expect(grouping.strategy).toBe(expected.strategy)
    expect(grouping.components).toEqual(expected.components)
    expect(computeGrouping(normalize(redeployed(raw, 'f'.repeat(32)))).fingerprint).toBe(grouping.fingerprint)
  })

  it.runIf(byStack.has(expected.strategy))('groups by its stack: other code is another issue', () => {
    expect(computeGrouping(normalize(otherCode(raw))).fingerprint).not.toBe(grouping.fingerprint)
  })
})
