/**
 * The organization-level security event list (`GET /api/v1/security/events`) over a running
 * Faultline with two projects: each caller sees the events of exactly the projects where it holds
 * security:read, newest first across them, with the project list's filters and cursor; audited.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken } from '@faultline/core/accounts'
import { createProject } from '@faultline/core/projects'
import { permissionsOf } from '@faultline/api'
import { startFaultline, type TestFaultline } from './support/faultline'

let fl: TestFaultline
let second: string
const tokens: Record<'both' | 'first' | 'viewer', string> = { both: '', first: '', viewer: '' }
const t0 = Date.now() - 10 * 60_000
const id = () => randomUUID().replaceAll('-', '')

async function send(projectId: string, key: string, events: Record<string, unknown>[]): Promise<void> {
  const body = events.map((e) => JSON.stringify(e)).join('\n')
  const response = await fetch(`${fl.url}/api/${projectId}/security/events/?sentry_key=${key}`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body })
  expect(response.status).toBe(200)
}

const list = (token: string, query = '') => fl.apiAs(token)('GET', `/security/events?startDate=${t0 - 60_000}${query}`)

beforeAll(async () => {
  fl = await startFaultline()
  const { accounts, projects } = fl.server.platform
  const [first] = await projects.projects.find({ _id: fl.projectId }, { limit: 1 })
  const created = await createProject(projects, first!.orgId, 'Second project')
  second = created.project._id
  // Interleaved in time: even events in the first project, odd ones in the second.
  await send(fl.projectId, fl.publicKey, Array.from({ length: 5 }, (_, i) => ({ 'event.id': id(), 'event.action': 'authn_login_fail', '@timestamp': t0 + i * 2_000, 'source.ip': '203.0.113.5', 'user.name': `first${i}`, 'event.severity': i < 2 ? 'high' : 'low' })))
  await send(second, created.key._id, Array.from({ length: 5 }, (_, i) => ({ 'event.id': id(), 'event.action': 'authz_fail', '@timestamp': t0 + i * 2_000 + 1_000, 'source.ip': '198.51.100.7', 'user.name': `second${i}`, 'event.severity': 'high' })))
  const token = async (scopes: ReturnType<typeof permissionsOf>, projectIds?: string[]) =>
    (await createApiToken(accounts.tokens, { kind: 'org', orgId: first!.orgId, name: 'org events', scopes, ...(projectIds && { projectIds }) })).token
  tokens.both = await token(permissionsOf('security-analyst'))
  tokens.first = await token(permissionsOf('security-analyst'), [fl.projectId])
  tokens.viewer = await token(permissionsOf('viewer'))
  await fl.waitFor(async () => (await list(tokens.both)).body.data?.length === 10)
}, 120_000)

afterAll(async () => {
  await fl?.stop()
})

describe('GET /security/events', () => {
  it('lists the events of every project the caller holds security:read on, newest first across them', async () => {
    const result = await list(tokens.both)
    expect(result.status).toBe(200)
    expect(result.body.projects.map((p: { id: string }) => p.id).sort()).toEqual([fl.projectId, second].sort())
    const rows = result.body.data as { projectId: string; '@timestamp': string }[]
    expect(rows.map((r) => r.projectId)).toEqual(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? second : fl.projectId)))
    expect(rows.map((r) => r['@timestamp'])).toEqual(rows.map((r) => r['@timestamp']).sort().reverse())
  })

  it("shows a caller granted one project only that project's events", async () => {
    const result = await list(tokens.first)
    expect(result.status).toBe(200)
    expect(result.body.projects.map((p: { id: string }) => p.id)).toEqual([fl.projectId])
    expect(result.body.data).toHaveLength(5)
    expect(new Set(result.body.data.map((r: { projectId: string }) => r.projectId))).toEqual(new Set([fl.projectId]))
    expect(result.body.data.map((r: any) => r.event.user.name)).toEqual(['first4', 'first3', 'first2', 'first1', 'first0'])
  })

  it('shows nothing to a caller without security:read anywhere', async () => {
    const result = await list(tokens.viewer)
    expect(result.status).toBe(200)
    expect(result.body).toEqual({ data: [], nextCursor: null, projects: [] })
  })

  it('filters as the project list does and pages across projects with the cursor, without repeats', async () => {
    const high = await list(tokens.both, '&severity=high')
    expect(high.body.data).toHaveLength(7)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: { status: number; body: any } = await list(tokens.both, `&limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      expect(page.status).toBe(200)
      seen.push(...page.body.data.map((r: any) => `${r['@timestamp']} ${r.id}`))
      cursor = page.body.nextCursor
    } while (cursor)
    expect(seen).toHaveLength(10)
    expect(new Set(seen).size).toBe(10)
    expect([...seen].sort().reverse()).toEqual(seen)
  })

  it('answers bad filters and cursors with a 400 and a reason', async () => {
    for (const query of ['&severity=catastrophic', '&cursor=bm9wZQ', '&limit=0', '&q=event.action%3A', '&nope=1']) {
      const result = await list(tokens.both, query)
      expect(result.status, query).toBe(400)
      expect(result.body.detail, query).toEqual(expect.any(String))
    }
  })

  it('is audited as a sensitive read naming the projects searched', async () => {
    await list(tokens.first, '&user=first1')
    const audit = await fl.server.platform.audit.search({ action: 'sensitive_read', limit: 50 })
    expect(audit.some((d) => d.target?.type === 'security_events' && d.target.id === fl.projectId && String(d.detail?.search).includes('user=first1'))).toBe(true)
  })
})
