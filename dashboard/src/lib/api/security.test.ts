import { describe, expect, it } from 'vitest'
import { securityExportUrl } from './security'

describe('the export link', () => {
  it('carries the search, window and, for CSV, the columns', () => {
    const url = new URL(securityExportUrl('7', { format: 'csv', q: 'user.name: bob', startDate: 1, endDate: 2, columns: ['@timestamp', 'source.ip'] }), 'http://x')
    expect(url.pathname).toBe('/api/v1/projects/7/security/export')
    expect(Object.fromEntries(url.searchParams)).toEqual({ format: 'csv', q: 'user.name: bob', startDate: '1', endDate: '2', columns: '@timestamp,source.ip' })
    expect(new URL(securityExportUrl('7', { format: 'ndjson', q: '', startDate: 1, endDate: 2 }), 'http://x').search).toBe('?format=ndjson&startDate=1&endDate=2')
  })
})
