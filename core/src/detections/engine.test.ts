import { describe, expect, it } from 'vitest'
import { normalizeSecurityEvent } from '../security'
import { evaluateRule, suppressedBy, type TimedEvent } from './engine'
import { builtInRules } from './rule-pack'
import { parseRules, type DetectionRule, type SuppressionRule } from './rule'

const t0 = Date.UTC(2026, 5, 1, 12, 0, 0)
let serial = 0

function ev(action: string, at: number, fields: Record<string, unknown> = {}): TimedEvent {
  const id = (++serial).toString(16).padStart(32, '0')
  const result = normalizeSecurityEvent({ 'event.action': action, 'event.id': id, '@timestamp': at, ...fields }, { receivedAt: at, dataset: 'app' })
  if (!result.ok) throw new Error(result.reason)
  return { at, event: result.event }
}

function rule(id: string): DetectionRule {
  const found = builtInRules.find((r) => r.id === id)
  if (!found) throw new Error(id)
  return found
}

const fails = (n: number, spanMs: number, fields: Record<string, unknown> = { 'source.ip': '203.0.113.7', 'user.name': 'alice' }) =>
  Array.from({ length: n }, (_, i) => ev('authn_login_fail', t0 + Math.round((spanMs * i) / Math.max(1, n - 1)), fields))

describe('threshold rules', () => {
  const bruteForce = rule('brute-force-single-ip')

  it('fires on the 10th failure from one address less than 10 s after the first, and not at exactly 10 s', () => {
    const inside = fails(10, 9_999)
    const { detections } = evaluateRule(bruteForce, inside)
    expect(detections).toHaveLength(1)
    expect(detections[0]).toMatchObject({ ruleId: 'brute-force-single-ip', group: { 'source.ip': '203.0.113.7' }, count: 10, anchorEventId: inside[9]!.event.event.id, firstAt: t0, lastAt: t0 + 9_999 })
    expect(evaluateRule(bruteForce, fails(10, 10_000)).detections).toEqual([])
  })

  it('counts each group alone', () => {
    const mixed = [...fails(5, 1_000, { 'source.ip': '203.0.113.7' }), ...fails(5, 1_000, { 'source.ip': '203.0.113.8' })]
    expect(evaluateRule(bruteForce, mixed).detections).toEqual([])
  })

  it('holds back a second detection of the group until `suppress` has passed since the first', () => {
    const burst = fails(30, 9_000)
    expect(evaluateRule(bruteForce, burst).detections).toHaveLength(1)
    const later = (offset: number) => fails(10, 1_000).map((e) => ({ ...e, at: e.at + offset }))
    expect(evaluateRule(bruteForce, [...fails(10, 1_000), ...later(59_999)]).detections).toHaveLength(1)
    expect(evaluateRule(bruteForce, [...fails(10, 1_000), ...later(60_000)]).detections).toHaveLength(2)
  })

  it('needs distinct values of the cardinality field: impossible travel within 15 minutes', () => {
    const travel = rule('impossible-travel')
    const login = (at: number, country: string) => {
      const e = ev('authn_login_success', at, { 'user.name': 'carol' })
      return { ...e, event: { ...e.event, source: { ip: '192.0.2.1', geo: { country_iso_code: country, country_name: country } } } }
    }
    expect(evaluateRule(travel, [login(t0, 'US'), login(t0 + 15 * 60_000 - 1, 'GB')]).detections).toMatchObject([{ distinct: 2, group: { 'user.name': 'carol' } }])
    expect(evaluateRule(travel, [login(t0, 'US'), login(t0 + 15 * 60_000, 'GB')]).detections).toEqual([])
    expect(evaluateRule(travel, [login(t0, 'US'), login(t0 + 1000, 'US')]).detections).toEqual([])
  })

  it('credential stuffing counts failures across the project from many addresses', () => {
    const stuffing = Array.from({ length: 50 }, (_, i) => ev('authn_login_fail', t0 + i * 1000, { 'source.ip': `198.51.100.${i % 12}`, 'user.name': `user${i}` }))
    expect(evaluateRule(rule('credential-stuffing'), stuffing).detections).toMatchObject([{ count: 50, distinct: 12, group: {} }])
    const fromFew = stuffing.map((e) => ({ ...e, event: { ...e.event, source: { ip: '198.51.100.1' } } }))
    expect(evaluateRule(rule('credential-stuffing'), fromFew).detections).toEqual([])
  })
})

describe('sequence rules', () => {
  const afterFailures = rule('success-after-failures')
  const success = (at: number, user = 'alice') => ev('authn_login_success', at, { 'user.name': user })

  it('fires on a success after five failures less than 5 minutes after the first, and not at exactly 5 minutes', () => {
    const anchor = success(t0 + 5 * 60_000 - 1)
    const { detections } = evaluateRule(afterFailures, [...fails(5, 60_000), anchor])
    expect(detections).toMatchObject([{ kind: 'sequence', anchorEventId: anchor.event.event.id, count: 6, group: { 'user.name': 'alice' } }])
    expect(evaluateRule(afterFailures, [...fails(5, 60_000), success(t0 + 5 * 60_000)]).detections).toEqual([])
  })

  it('needs every step, in order, for the same group', () => {
    expect(evaluateRule(afterFailures, [...fails(4, 1_000), success(t0 + 2_000)]).detections).toEqual([])
    expect(evaluateRule(afterFailures, [success(t0 - 1), ...fails(5, 1_000)]).detections).toEqual([])
    expect(evaluateRule(afterFailures, [...fails(5, 1_000), success(t0 + 2_000, 'bob')]).detections).toEqual([])
  })

  it('takes the latest failures before the success, so older ones do not spoil the span', () => {
    const events = [...fails(5, 1_000), ...fails(5, 1_000).map((e) => ({ ...e, at: e.at + 10 * 60_000 })), success(t0 + 10 * 60_000 + 2_000)]
    expect(evaluateRule(afterFailures, events).detections).toHaveLength(1)
  })
})

describe('detections found twice', () => {
  const bruteForce = rule('brute-force-single-ip')

  it('have one id, and a known detection is reported again instead of anew', () => {
    const burst = fails(10, 5_000)
    const [first] = evaluateRule(bruteForce, burst).detections
    const known = [{ id: first!.id, groupKey: first!.groupKey, anchorAt: first!.anchorAt }]
    expect(evaluateRule(bruteForce, burst, known)).toEqual({ detections: [], again: [first!.id] })
  })

  it('from different views of one burst (a replica that saw part of it first) are found once', () => {
    const burst = fails(14, 5_000)
    const partial = [...burst.slice(0, 2), ...burst.slice(4)]
    const [early] = evaluateRule(bruteForce, partial).detections
    const known = [{ id: early!.id, groupKey: early!.groupKey, anchorAt: early!.anchorAt }]
    const full = evaluateRule(bruteForce, burst, known)
    expect(full.detections).toEqual([])
  })
})

describe('suppression windows', () => {
  const parsed = parseRules(`id: pentest
kind: suppression
rules: [brute-force-single-ip]
where: 'source.ip: 203.0.113.0/24'
from: '${new Date(t0).toISOString()}'
until: '${new Date(t0 + 3_600_000).toISOString()}'`)
  const suppression = (parsed.ok ? parsed.rules[0] : undefined) as SuppressionRule

  it('hold back detections anchored in [from, until) on matching events', () => {
    const at = (anchorAt: number, ip = '203.0.113.7') => {
      const anchor = ev('authn_login_fail', anchorAt, { 'source.ip': ip })
      return suppressedBy({ ...evaluateRule(rule('brute-force-single-ip'), fails(10, 1_000)).detections[0]!, anchorAt }, anchor.event, [suppression])
    }
    expect(at(t0)).toBe('pentest')
    expect(at(t0 + 3_599_999)).toBe('pentest')
    expect(at(t0 + 3_600_000)).toBeUndefined()
    expect(at(t0 - 1)).toBeUndefined()
    expect(at(t0 + 10, '198.51.100.1')).toBeUndefined()
  })
})

describe('parseRules', () => {
  it('parses the built-in pack', () => {
    expect(builtInRules.map((r) => r.kind)).toContain('sequence')
    expect(builtInRules.every((r) => r.version.length === 12)).toBe(true)
  })

  it('names the line of each problem', () => {
    const result = parseRules(`id: bad-rule
kind: threshold
where: 'event.action: authn_login_fail and nope: 1'
group_by: [related.ip]
window: 10 seconds
threshold: 0
---
id: bad-rule
kind: sequence
max_span: 5m
steps: [{ where: 'a' }]
---
kind: [`)
    expect(result.ok).toBe(false)
    const problems = !result.ok ? result.problems : []
    expect(problems).toEqual(
      expect.arrayContaining([
        { line: 5, message: expect.stringContaining('window') },
        { line: 6, message: expect.stringContaining('threshold') },
        { line: 11, message: expect.stringContaining('steps') },
        { line: 13, message: expect.any(String) },
      ]),
    )
    const second = parseRules(`id: r1\nkind: threshold\nwhere: 'nope: 1'\ngroup_by: [related.ip]\nwindow: 10s\nthreshold: 2`)
    expect(!second.ok && second.problems).toEqual([
      { line: 3, message: expect.stringContaining('unknown field "nope"') },
      { line: 4, message: expect.stringContaining('related.ip cannot group detections') },
    ])
  })

  it('answers alias bombs and aliases without an anchor with a problem at the document, not an exception', () => {
    const letters = 'abcdefghij'
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `${letters[i + 1]}: &${letters[i + 1]} [${Array(9).fill(`*${letters[i]}`).join(', ')}]`)].join('\n')
    for (const text of [bomb, `id: r2\nkind: *nowhere`]) {
      const result = parseRules(text)
      expect(!result.ok && result.problems).toEqual([{ line: 1, message: expect.stringMatching(/alias/i) }])
    }
  })
})
