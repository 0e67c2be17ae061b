/**
 * Two projects of one organization on one Faultline, and a token of that organization that may
 * read and change both: everything under /projects/:projectId answers about that project only.
 * An issue or event of the other project is a 404 there (never its data, never a change to it),
 * and lists hold the path's project's issues alone. Both projects have issues with the same
 * fingerprint, so a lookup that ignored the project would find the other project's rows. (What a
 * token limited to one project may reach is the permission matrix's test, in api/.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken } from '@faultline/core/accounts'
import { createProject } from '@faultline/core/projects'
import { permissionsOf } from '@faultline/api'
import { sendEvents, sentryEvent } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'

let f: TestFaultline
/** GET/PUT/POST/DELETE with an organization token that reaches both projects. */
let api: TestFaultline['api']
interface Side {
  projectId: string
  eventId: string
  issueId: string
}
let a: Side
let b: Side

/** Sends one event to a project and waits until the API shows it with its issue. */
async function sideWith(projectId: string, publicKey: string, value: string): Promise<Side> {
  const event = sentryEvent({ type: 'SharedError', value, stack: ['sharedHandler'] })
  expect(await sendEvents(f.url, projectId, publicKey, [event])).toEqual([200])
  const eventId = event.event_id as string
  const stored = await f.waitFor(async () => {
    const { status, body } = await api('GET', `/projects/${projectId}/events/${eventId}`)
    return status === 200 ? body : undefined
  })
  return { projectId, eventId, issueId: stored.issueId as string }
}

beforeAll(async () => {
  f = await startFaultline()
  const { projects, accounts } = f.server.platform
  const orgId = (await projects.projects.get(f.projectId))!.orgId
  const other = await createProject(projects, orgId, 'Other project')
  api = f.apiAs((await createApiToken(accounts.tokens, { kind: 'org', orgId, name: 'both projects', scopes: permissionsOf('admin') })).token)
  a = await sideWith(f.projectId, f.publicKey, 'failure in project a')
  b = await sideWith(other.project._id, other.key._id, 'failure in project b')
}, 60_000)

afterAll(() => f?.stop())

describe('project scoping of the API', () => {
  it('has the same fingerprint in both projects, as two issues', () => {
    expect(a.issueId).not.toBe(b.issueId)
  })

  it('reads an issue, its events and an event only under their own project', async () => {
    for (const [own, foreign] of [
      [a, b],
      [b, a],
    ] as const) {
      expect((await api('GET', `/projects/${own.projectId}/issues/${own.issueId}`)).status).toBe(200)
      expect((await api('GET', `/projects/${foreign.projectId}/issues/${own.issueId}`)).status).toBe(404)
      expect((await api('GET', `/projects/${foreign.projectId}/issues/${own.issueId}/events`)).status).toBe(404)
      expect((await api('GET', `/projects/${foreign.projectId}/events/${own.eventId}`)).status).toBe(404)
    }
  })

  it('lists only the issues and events of the path project', async () => {
    for (const side of [a, b]) {
      const list = await api('GET', `/projects/${side.projectId}/issues?status=all&limit=100`)
      expect(list.body.data.map((issue: any) => issue.id)).toEqual([side.issueId])
      const events = await api('GET', `/projects/${side.projectId}/issues/${side.issueId}/events`)
      expect(events.body.data.map((event: any) => event.eventId.replaceAll('-', ''))).toEqual([side.eventId])
      const detail = await api('GET', `/projects/${side.projectId}/issues/${side.issueId}`)
      expect(detail.body.count).toBe(1)
      expect(detail.body.latestEvent.eventId.replaceAll('-', '')).toBe(side.eventId)
    }
  })

  it('changes, merges and deletes nothing of another project', async () => {
    const resolve = await api('PUT', `/projects/${a.projectId}/issues`, { ids: [b.issueId], status: 'resolved' })
    expect(resolve.status).toBe(404)
    const merge = await api('POST', `/projects/${a.projectId}/issues/merge`, { ids: [a.issueId, b.issueId] })
    expect(merge.status).toBe(404)
    expect((await api('DELETE', `/projects/${a.projectId}/issues/${b.issueId}`)).status).toBe(404)
    const untouched = await api('GET', `/projects/${b.projectId}/issues/${b.issueId}`)
    expect(untouched.status).toBe(200)
    expect(untouched.body).toMatchObject({ status: 'unresolved', count: 1 })
  })
})
