import { describe, expect, it } from 'vitest'
import { accept, completionTarget, suggest } from './autocomplete'

const data = { keys: [{ key: 'browser', count: 40 }, { key: 'region', count: 12 }], values: ['Chrome', 'Chromium', 'Firefox'] }

describe('search autocomplete', () => {
  it('suggests keys, built-in ones first, then event fields and the tags of the data', () => {
    const target = completionTarget('is:resolved br', 14)
    expect(target).toMatchObject({ mode: 'key', prefix: 'br', start: 12, end: 14 })
    expect(suggest(target, data).map((s) => s.label)).toEqual(['browser:'])
    expect(suggest(completionTarget('', 0), data).map((s) => s.label).slice(0, 3)).toEqual(['is:', 'level:', 'release:'])
    expect(suggest(completionTarget('re', 2), data).map((s) => s.label)).toEqual(['release:', 'region:'])
  })

  it('suggests values of the key under the caret: static ones for is/level, data ones for tags', () => {
    expect(suggest(completionTarget('is:un', 5), data).map((s) => s.label)).toEqual(['unresolved'])
    const target = completionTarget('browser:Chr x', 11)
    expect(target).toMatchObject({ mode: 'value', key: 'browser', prefix: 'Chr' })
    expect(suggest(target, data).map((s) => s.label)).toEqual(['Chrome', 'Chromium'])
  })

  it('replaces the token when a suggestion is accepted and moves the caret after it', () => {
    const input = 'browser:Chr oops'
    const target = completionTarget(input, 11)
    const [chrome] = suggest(target, data)
    expect(accept(input, target, chrome!)).toEqual({ text: 'browser:Chrome oops', caret: 15 })
    const key = completionTarget('lev', 3)
    expect(accept('lev', key, suggest(key, data)[0]!)).toEqual({ text: 'level:', caret: 6 })
  })

  it('quotes a value with spaces', () => {
    const target = completionTarget('os:', 3)
    expect(accept('os:', target, suggest(target, { keys: [], values: ['Mac OS X'] })[0]!).text).toBe('os:"Mac OS X" ')
  })
})
