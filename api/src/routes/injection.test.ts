/**
 * Injection attempts in every search, sort and cursor parameter of the API: each is refused with
 * a 400 and its reason, or treated as a literal that matches nothing; never a 5xx, never another
 * tenant's data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken } from '@faultline/core/accounts'
import { createProject } from '@faultline/core/projects'
import { ApiHarness } from '../testing/api-harness'

let h: ApiHarness
let token: string
let orgId: string
let projectId: string

const hostile = [
  "' OR 1=1 --",
  '"; DROP TABLE error_events; --',
  '{"$gt":""}',
  '$where',
  '../../etc/passwd',
  "1) UNION SELECT * FROM system.users --",
  '%00',
  'a'.repeat(5000),
  '\u0000\u202e',
  "{p:UInt64}",
]

beforeAll(async () => {
  h = await ApiHarness.start({}, 'http://127.0.0.1:1', true)
  const org = await h.organization('Acme')
  orgId = org._id
  projectId = (await createProject(h.platform.projects, orgId, 'Shop')).project._id
  const other = await h.organization('Other')
  await h.platform.audit.append({ action: 'authn_login_fail', outcome: 'failure', orgId: other._id, actor: { type: 'user', id: '9', name: 'secret@other.test' } })
  token = (await createApiToken(h.platform.accounts.tokens, { kind: 'org', orgId, name: 't', scopes: ['issues:read', 'intelligence:read', 'audit:read', 'projects:read'] })).token
}, 120_000)
afterAll(() => h?.close())

const searches = () => [
  ...['query', 'sort', 'cursor', 'environment', 'release', 'level', 'status', 'since', 'stats'].map((p) => ({ path: `/projects/${projectId}/issues`, param: p })),
  ...['sort', 'cursor', 'stats'].map((p) => ({ path: `/projects/${projectId}/patterns`, param: p })),
  ...['action', 'actorId', 'targetType', 'targetId', 'outcome', 'since', 'cursor'].map((p) => ({ path: `/orgs/${orgId}/audit`, param: p })),
  { path: `/orgs/${orgId}/audit`, param: 'actor.id' },
  { path: `/orgs/${orgId}/audit`, param: 'orgId' },
]

describe('hostile search, sort and cursor parameters', () => {
  it('answers each with 400 and a reason, or with an empty result, never a 5xx or foreign data', async () => {
    const problems: string[] = []
    for (const { path, param } of searches()) {
      for (const value of hostile) {
        const answer = await h.bearer(token, 'GET', `${path}?${param}=${encodeURIComponent(value)}`)
        const text = JSON.stringify(answer.body)
        if (answer.status >= 500) problems.push(`${path} ${param}=${value.slice(0, 20)}: ${answer.status}`)
        else if (answer.status === 400) {
          if (!answer.body.detail) problems.push(`${path} ${param}: 400 without a reason`)
        } else if (answer.status !== 200) problems.push(`${path} ${param}=${value.slice(0, 20)}: ${answer.status} ${text.slice(0, 200)}`)
        else if (text.includes('secret@other.test') || (Array.isArray(answer.body.data) && answer.body.data.length > 0 && !path.endsWith('/audit'))) {
          problems.push(`${path} ${param}=${value.slice(0, 20)}: answered data ${text.slice(0, 200)}`)
        }
      }
    }
    expect(problems).toEqual([])
  }, 120_000)
})
