import { describe, expect, it } from 'vitest'
import { queryFieldNames } from './query-completion'
import { defaultColumns, eventIdsQuery, fieldValue, histogramSlots, pivotHref, pivotOf, pivotSearch, quoteValue, readTimelineParams, securityFields, timelineSearch, timeWindow, withFilter } from './timeline-params'

describe('the timeline URL', () => {
  it('reads defaults, a range, chosen columns (unknown ones dropped) and a zoomed window', () => {
    expect(readTimelineParams(new URLSearchParams(''))).toEqual({ q: '', range: '24h', columns: defaultColumns })
    const params = readTimelineParams(new URLSearchParams('q=event.action:x&range=7d&columns=@timestamp,source.ip,bogus&from=2026-01-01T00:00:00.000Z&to=2026-01-01T01:00:00.000Z'))
    expect(params).toEqual({ q: 'event.action:x', range: '7d', columns: ['@timestamp', 'source.ip'], from: Date.parse('2026-01-01T00:00:00Z'), to: Date.parse('2026-01-01T01:00:00Z') })
    expect(readTimelineParams(new URLSearchParams('range=nope&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z'))).toEqual({ q: '', range: '24h', columns: defaultColumns })
  })

  it('offers as columns exactly the fields of the query language (in its own order)', () => {
    expect([...securityFields].sort()).toEqual(['@timestamp', ...queryFieldNames].sort())
  })

  it('writes what it reads, leaving defaults out', () => {
    expect(timelineSearch({ q: '', range: '24h', columns: defaultColumns })).toBe('')
    const params = { q: 'not user.name: svc-*', range: '7d' as const, columns: ['@timestamp', 'user.name'] }
    expect(readTimelineParams(new URLSearchParams(timelineSearch(params)))).toEqual(params)
    const zoomed = { q: '', range: '24h' as const, from: 1_000, to: 61_000, columns: defaultColumns }
    expect(readTimelineParams(new URLSearchParams(timelineSearch(zoomed)))).toEqual(zoomed)
    const opened = { q: '', range: '24h' as const, columns: defaultColumns, event: 'ab'.repeat(16) }
    expect(readTimelineParams(new URLSearchParams(timelineSearch(opened)))).toEqual(opened)
    expect(readTimelineParams(new URLSearchParams('event=not-an-id')).event).toBeUndefined()
  })

  it('turns a range into a window ending now, and keeps an explicit one', () => {
    expect(timeWindow({ range: '1h' }, 10_000_000)).toEqual({ startDate: 10_000_000 - 3_600_000, endDate: 10_000_000 })
    expect(timeWindow({ range: '1h', from: 5, to: 9 }, 10_000_000)).toEqual({ startDate: 5, endDate: 9 })
  })
})

describe('adding filters to a query', () => {
  it('quotes values that are not plain words, and the keywords', () => {
    expect(quoteValue('203.0.113.7')).toBe('203.0.113.7')
    expect(quoteValue('2001:db8::1')).toBe('2001:db8::1')
    expect(quoteValue('svc-*')).toBe('"svc-*"')
    expect(quoteValue('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"')
    expect(quoteValue('or')).toBe('"or"')
    expect(quoteValue('')).toBe('""')
  })

  it('ands a term onto the query, bracketing an or, and excludes with not', () => {
    expect(withFilter('', 'source.ip', '10.0.0.1')).toBe('source.ip: 10.0.0.1')
    expect(withFilter('event.action: authz_fail', 'user.name', 'bob', true)).toBe('event.action: authz_fail and not user.name: bob')
    expect(withFilter('a or b', 'event.outcome', 'failure')).toBe('(a or b) and event.outcome: failure')
  })

  it('names pivots for IPs, users and sessions, and searches for them as the API does', () => {
    expect(['source.ip', 'related.ip', 'user.name', 'related.user', 'session.id', 'event.action'].map(pivotOf)).toEqual(['ip', 'ip', 'user', 'user', 'session', null])
    expect(pivotSearch('ip', '10.0.0.1')).toBe('source.ip: 10.0.0.1 or related.ip: 10.0.0.1')
    expect(pivotSearch('user', 'a b')).toBe('user.name: "a b" or user.id: "a b" or related.user: "a b"')
    expect(eventIdsQuery(['a', 'b'])).toBe('event.id: (a or b)')
    expect(eventIdsQuery([])).toBe('')
  })

  it('links a pivot over the same time as the page it is opened from', () => {
    const read = (href: string) => Object.fromEntries(new URL(href, 'http://x').searchParams)
    expect(read(pivotHref('7', 'ip', '10.0.0.1', { range: '7d' }))).toEqual({ field: 'ip', value: '10.0.0.1', range: '7d' })
    expect(read(pivotHref('7', 'user', 'a b', { range: '24h', from: 0, to: 60_000 }))).toEqual({ field: 'user', value: 'a b', from: '1970-01-01T00:00:00.000Z', to: '1970-01-01T00:01:00.000Z' })
    expect(pivotHref('7', 'session', 's1')).toBe('/projects/7/security/pivot?field=session&value=s1')
  })
})

describe('values of a row', () => {
  it('reads chosen columns, or walks the whole event', () => {
    expect(fieldValue({ id: '1', '@timestamp': 't', fields: { 'source.ip': '10.0.0.1' } }, 'source.ip')).toBe('10.0.0.1')
    const row = { id: '1', '@timestamp': 't', event: { event: { action: 'authz_fail' }, related: { ip: ['1.2.3.4'] } } as never }
    expect(fieldValue(row, 'event.action')).toBe('authz_fail')
    expect(fieldValue(row, 'related.ip')).toEqual(['1.2.3.4'])
    expect(fieldValue(row, 'user.name')).toBeUndefined()
    expect(fieldValue(row, '@timestamp')).toBe('t')
    expect(fieldValue({ id: '1', '@timestamp': 't', fields: { 'event.severity': 3 } }, 'event.severity')).toBe('high')
  })

  it('fills the empty buckets of the window between those the API counted', () => {
    const minute = 60_000
    const slots = histogramSlots([{ start: new Date(2 * minute).toISOString(), count: 5, failures: 1 }], 60, { startDate: 30_000, endDate: 4 * minute })
    expect(slots.map((s) => [Date.parse(s.start) / minute, s.count])).toEqual([[0, 0], [1, 0], [2, 5], [3, 0]])
  })
})
