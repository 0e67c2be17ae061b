import { describe, expect, it } from 'vitest'
import type { SecurityEvent } from '$lib/api/security'
import { eventFields } from './event-fields'

const event: SecurityEvent = {
  '@timestamp': '2026-01-01T00:00:00.000Z',
  event: { id: 'a'.repeat(32), kind: 'event', category: ['authentication'], type: ['start'], action: 'authn_login_fail', outcome: 'failure', severity: 'medium', dataset: 'app' },
  source: { ip: '203.0.113.7', geo: { country_iso_code: 'AU' } },
  user: { name: 'bob', roles: ['admin'] },
  related: { ip: ['203.0.113.7'], user: ['bob'], hosts: [] },
  attributes: { 'attack.kind': 'sqli', retries: 3 },
}

describe('the fields of an event', () => {
  it('lists every field by its dotted name, arrays as their values, empty ones left out, attributes last', () => {
    const fields = eventFields(event)
    expect(fields.map((f) => f.field)).toEqual([
      '@timestamp', 'event.id', 'event.kind', 'event.category', 'event.type', 'event.action', 'event.outcome', 'event.severity', 'event.dataset',
      'source.ip', 'source.geo.country_iso_code', 'user.name', 'user.roles', 'related.ip', 'related.user', 'attributes.attack.kind', 'attributes.retries',
    ])
    expect(fields.find((f) => f.field === 'attributes.retries')).toEqual({ field: 'attributes.retries', values: ['3'], queryable: true })
  })

  it('says which the query language can filter on', () => {
    const queryable = Object.fromEntries(eventFields(event).map((f) => [f.field, f.queryable]))
    expect(queryable).toMatchObject({ '@timestamp': false, 'source.geo.country_iso_code': true, 'user.roles': false, 'related.ip': true })
  })
})
