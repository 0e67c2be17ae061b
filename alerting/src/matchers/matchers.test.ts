import { describe, expect, it } from 'vitest'
import { checkRegexSafety, formatMatcher, matches, parseMatcher, type Matcher } from '.'

const parse = (text: string): Matcher => {
  const result = parseMatcher(text)
  if (!result.ok) throw new Error(result.reason)
  return result.value
}

describe('matchers', () => {
  it('evaluate =, !=, =~ and !~ as Alertmanager does, a missing label reading as empty', () => {
    const labels = { severity: 'critical', team: 'payments' }
    expect(matches(parse('severity="critical"'), labels)).toBe(true)
    expect(matches(parse('severity!=critical'), labels)).toBe(false)
    expect(matches(parse('team=~"pay.*"'), labels)).toBe(true)
    expect(matches(parse('team!~"pay.*"'), labels)).toBe(false)
    expect(matches(parse('env=""'), labels)).toBe(true)
    expect(matches(parse('env!=""'), labels)).toBe(false)
    expect(matches(parse('env=~".*"'), labels)).toBe(true)
  })

  it('anchors regexes at both ends', () => {
    expect(matches(parse('team=~"pay"'), { team: 'payments' })).toBe(false)
    expect(matches(parse('team=~"pay|ments"'), { team: 'payments' })).toBe(false)
    expect(matches(parse('team=~"pay|payments"'), { team: 'payments' })).toBe(true)
  })

  it('parses quoted values with escapes and prints them back', () => {
    const m = parse('summary="say \\"hi\\", then go"')
    expect(m.value).toBe('say "hi", then go')
    expect(parse(formatMatcher(m))).toMatchObject({ name: 'summary', type: '=', value: 'say "hi", then go' })
  })

  it('refuses malformed matchers with a reason', () => {
    for (const bad of ['severity', '1abc="x"', 'a=="b"', 'a=~"("', 'a=~"(x+)+"']) {
      const result = parseMatcher(bad)
      expect(result.ok, bad).toBe(false)
    }
  })
})

describe('regex safety', () => {
  it('refuses known catastrophic-backtracking patterns', () => {
    for (const bomb of ['(a+)+$', '(a*)*b', '(a|a)*', '(\\w|\\d)+x', '(.*a){20}', '([a-z]+)*$', '(x+x+)+y', '(a|aa)+', '(?:a+){2,}', '\\1(a)', '(?=a)a']) {
      expect(checkRegexSafety(bomb).ok, bomb).toBe(false)
    }
  })

  it('accepts the expressions routing trees are made of', () => {
    for (const fine of ['critical|warning', 'pay.*', '[a-z]+-[0-9]+', 'api@1\\.(2|3)\\..*', '(foo|bar)baz', 'a{1,3}b', '(?:eu|us)-west-[12]']) {
      expect(checkRegexSafety(fine), fine).toEqual({ ok: true })
    }
  })

  it('refuses over-long expressions', () => {
    expect(checkRegexSafety('a'.repeat(1_001))).toMatchObject({ ok: false })
  })
})
