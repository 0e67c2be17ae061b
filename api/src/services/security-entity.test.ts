import { describe, expect, it } from 'vitest'
import { parseSecurityQuery } from '@faultline/core/security'
import { queryEntities } from './security-entity'

const entityOf = (text: string) => {
  const parsed = parseSecurityQuery(text)
  if (!parsed.ok) throw new Error(parsed.reason)
  return queryEntities(parsed.query)
}

describe('queryEntities', () => {
  it('finds the IP, user, session or IP range every match concerns', () => {
    expect(entityOf('user.name: alice')).toEqual({ kind: 'user', low: 'alice', high: 'alice' })
    expect(entityOf('event.action: authn_login_fail and related.user: "bob smith"')).toEqual({ kind: 'user', low: 'bob smith', high: 'bob smith' })
    expect(entityOf('source.ip: 203.0.113.7')).toEqual({ kind: 'ip', low: '00000000000000000000FFFFCB007107', high: '00000000000000000000FFFFCB007107' })
    expect(entityOf('related.ip: 2001:db8::1/128')).toEqual({ kind: 'ip', low: '20010DB8000000000000000000000001', high: '20010DB8000000000000000000000001' })
    expect(entityOf('session.id: s-1 and not event.outcome: success')).toEqual({ kind: 'session', low: 's-1', high: 's-1' })
    expect(entityOf('source.ip: 10.1.0.0/16 and event.action: authz_fail')).toEqual({ kind: 'ip', low: '00000000000000000000FFFF0A010000', high: '00000000000000000000FFFF0A01FFFF' })
    expect(entityOf('user.name: alice or user.id: alice or related.user: alice')).toEqual({ kind: 'user', low: 'alice', high: 'alice' })
  })

  it('finds none when a match need not concern one entity', () => {
    for (const text of [
      '',
      'event.action: authz_fail',
      'user.name: alice or user.name: bob',
      'user.name: alice or event.action: authz_fail',
      'source.ip: 203.0.113.0/24 or source.ip: 203.0.114.0/24',
      'source.ip: ::/0',
      'user.name: ali*',
      'not user.name: alice',
      'user.email: alice@example.com',
      'source.ip: ::',
      'user.name: ""',
      'alice',
    ]) expect(entityOf(text), text).toBeUndefined()
  })
})
