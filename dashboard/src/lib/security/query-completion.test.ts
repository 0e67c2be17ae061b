import { describe, expect, it } from 'vitest'
import { securityFields } from '$server/core/security/query/fields'
import { acceptQuerySuggestion, fieldSuggestions, queryCompletionTarget, queryFieldNames, valueSuggestions } from './query-completion'

describe('the security query box completion', () => {
  it('offers the fields of the language where a field name may start', () => {
    expect(queryFieldNames).toEqual(Object.keys(securityFields))
    expect(queryCompletionTarget('', 0)).toEqual({ mode: 'field', prefix: '', start: 0, end: 0 })
    expect(queryCompletionTarget('event.act', 9)).toEqual({ mode: 'field', prefix: 'event.act', start: 0, end: 9 })
    expect(queryCompletionTarget('a: b and (sou', 13)).toEqual({ mode: 'field', prefix: 'sou', start: 10, end: 13 })
    expect(queryCompletionTarget('a: b and not ', 13)).toEqual({ mode: 'field', prefix: '', start: 13, end: 13 })
    expect(queryCompletionTarget('a: b ', 5), 'after a whole term comes a connective, not a field').toBeNull()
    expect(fieldSuggestions('source.').map((s) => s.label)).toEqual(['source.ip', 'source.port', 'source.geo.country_iso_code', 'source.geo.country_name'])
    expect(fieldSuggestions('USER.N')).toEqual([{ label: 'user.name', insert: 'user.name: ', detail: 'Field' }])
  })

  it('finds the value being typed after a field, quoted or not, with the rest of the word it replaces', () => {
    expect(queryCompletionTarget('user.name: al', 13)).toEqual({ mode: 'value', field: 'user.name', prefix: 'al', start: 11, end: 13 })
    expect(queryCompletionTarget('x: 1 and user.name:"al', 22)).toEqual({ mode: 'value', field: 'user.name', prefix: 'al', start: 19, end: 22 })
    expect(queryCompletionTarget('http.response.status_code >= 4', 30)).toEqual({ mode: 'value', field: 'http.response.status_code', prefix: '4', start: 29, end: 30 })
    expect(queryCompletionTarget('user.name: alice and x: 1', 13)).toEqual({ mode: 'value', field: 'user.name', prefix: 'al', start: 11, end: 16 })
  })

  it('inserts a field with its colon, and a value quoted when the language needs it', () => {
    const field = acceptQuerySuggestion('event.act', queryCompletionTarget('event.act', 9)!, fieldSuggestions('event.act')[0]!)
    expect(field).toEqual({ text: 'event.action: ', caret: 14 })
    const [plain, spaced] = valueSuggestions([{ value: 'alice', count: 3 }, { value: 'svc scan', count: 1 }])
    expect(plain!.detail).toBe('3 events')
    const text = 'user.name: al and x: 1'
    expect(acceptQuerySuggestion(text, queryCompletionTarget(text, 13)!, plain!)).toEqual({ text: 'user.name: alice and x: 1', caret: 17 })
    expect(acceptQuerySuggestion('user.name: "sv', queryCompletionTarget('user.name: "sv', 14)!, spaced!)).toEqual({ text: 'user.name: "svc scan" ', caret: 22 })
    expect(acceptQuerySuggestion('(user.name: al)', queryCompletionTarget('(user.name: al)', 14)!, plain!)).toEqual({ text: '(user.name: alice)', caret: 17 })
  })
})
