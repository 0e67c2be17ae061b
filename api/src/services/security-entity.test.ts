import { describe, expect, it } from 'vitest'
import { parseSecurityQuery } from '@faultline/core/security'
import { queryEntity } from './security-entity'

const entityOf = (text: string) => {
  const parsed = parseSecurityQuery(text)
  if (!parsed.ok) throw new Error(parsed.reason)
  return queryEntity(parsed.query)
}

describe('queryEntity', () => {
  it('finds the one IP, user or session every match concerns', () => {
    expect(entityOf('user.name: alice')).toEqual({ kind: 'user', entity: 'alice' })
    expect(entityOf('event.action: authn_login_fail and related.user: "bob smith"')).toEqual({ kind: 'user', entity: 'bob smith' })
    expect(entityOf('source.ip: 203.0.113.7')).toEqual({ kind: 'ip', entity: '00000000000000000000FFFFCB007107' })
    expect(entityOf('related.ip: 2001:db8::1/128')).toEqual({ kind: 'ip', entity: '20010DB8000000000000000000000001' })
    expect(entityOf('session.id: s-1 and not event.outcome: success')).toEqual({ kind: 'session', entity: 's-1' })
    expect(entityOf('user.name: alice or user.id: alice or related.user: alice')).toEqual({ kind: 'user', entity: 'alice' })
  })

  it('finds none when a match need not concern one entity', () => {
    for (const text of [
      '',
      'event.action: authz_fail',
      'user.name: alice or user.name: bob',
      'user.name: alice or event.action: authz_fail',
      'source.ip: 203.0.113.0/24',
      'user.name: ali*',
      'not user.name: alice',
      'user.email: alice@example.com',
      'source.ip: ::',
      'user.name: ""',
      'alice',
    ]) expect(entityOf(text), text).toBeUndefined()
  })
})
