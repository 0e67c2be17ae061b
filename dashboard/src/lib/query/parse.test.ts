import { describe, expect, it } from 'vitest'
import { parseQuery, tokenize, withTerm } from './parse'

describe('the issue search language', () => {
  it('reads the built-in keys, tag and user terms and free text', () => {
    const q = parseQuery('is:unresolved level:error release:1.2.0 user.email:x@y.z browser:Chrome checkout failed')
    expect(q).toMatchObject({
      status: 'unresolved',
      level: 'error',
      release: '1.2.0',
      tags: [
        { key: 'user.email', value: 'x@y.z' },
        { key: 'browser', value: 'Chrome' },
      ],
      text: 'checkout failed',
      problems: [],
    })
  })

  it('takes quoted values and quoted phrases, with escapes', () => {
    const q = parseQuery('transaction:"POST /api/orders" "card \\"missing\\"" env:prod')
    expect(q.tags).toEqual([{ key: 'transaction', value: 'POST /api/orders' }])
    expect(q.text).toBe('card "missing"')
    expect(q.environment).toBe('prod')
  })

  it('keeps the last value of a repeated key', () => {
    expect(parseQuery('level:error level:fatal browser:A browser:B').level).toBe('fatal')
    expect(parseQuery('browser:A browser:B').tags).toEqual([{ key: 'browser', value: 'B' }])
  })

  it('reports what it cannot use instead of failing', () => {
    const q = parseQuery('is:sleeping level: TypeError: cannot')
    expect(q.status).toBeUndefined()
    expect(q.problems).toEqual([expect.stringContaining('is:sleeping is not a status'), 'level: needs a value', 'TypeError: needs a value'])
    expect(q.text).toBe('cannot')
  })

  it('treats words that are not key:value as text (URLs, times)', () => {
    expect(parseQuery('http://x/y 12:30').text).toBe('http://x/y 12:30')
  })

  it('records where each token is, for autocomplete', () => {
    expect(tokenize('a  is:x').map((t) => [t.start, t.end])).toEqual([
      [0, 1],
      [3, 7],
    ])
  })

  it('sets a term, replacing the same key, quoting when needed', () => {
    expect(withTerm('is:unresolved browser:Firefox oops', 'browser', 'Chrome 120')).toBe('is:unresolved oops browser:"Chrome 120"')
    expect(withTerm('', 'env', 'prod')).toBe('env:prod')
    expect(parseQuery(withTerm('x', 'release', 'a"b')).release).toBe('a"b')
  })
})
