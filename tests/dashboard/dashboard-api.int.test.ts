/**
 * The API the dashboard's screens need, over a running Faultline: tag and user searches, the
 * assignee filter and column, anomaly markers, activity (status changes by users and by new
 * events, assignments, merges, comments), search suggestions, and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendEvents, sentryEvent, type EventShape } from '../support/events'
import { startFaultline, type TestFaultline } from '../support/faultline'

let f: TestFaultline
let base: string
const ids: Record<string, string> = {}

async function send(shapes: EventShape[]): Promise<void> {
  const events = shapes.map(sentryEvent)
  expect(await sendEvents(f.url, f.projectId, f.publicKey, events)).toEqual(events.map(() => 200))
}

async function issuesWithTotal(total: number): Promise<any[]> {
  return f.waitFor(async () => {
    const { body } = await f.api('GET', `${base}/issues?status=all&limit=100`)
    return body.data.reduce((n: number, i: any) => n + i.count, 0) === total ? body.data : undefined
  })
}

const values = async (query: string) => (await f.api('GET', `${base}/issues?status=all&${query}`)).body.data.map((i: any) => i.value).sort()

beforeAll(async () => {
  f = await startFaultline()
  base = `/projects/${f.projectId}`
  await send([
    { type: 'CheckoutError', value: 'card declined', stack: ['charge'], tags: { browser: 'Chrome', region: 'eu' }, user: 'jane' },
    { type: 'CheckoutError', value: 'card declined', stack: ['charge'], tags: { browser: 'Firefox', region: 'eu' } },
    { type: 'RenderError', value: 'blank page', stack: ['render'], tags: { browser: 'Chrome', region: 'us' }, user: 'joe' },
    { type: 'DbError', value: 'timeout', stack: ['query'], tags: { region: 'us' } },
  ])
  for (const issue of await issuesWithTotal(4)) ids[issue.value] = issue.id
}, 60_000)

afterAll(() => f?.stop())

describe('issue search for the dashboard', () => {
  it('filters by tags and user fields, all terms together', async () => {
    expect(await values('tag=browser:Chrome')).toEqual(['blank page', 'card declined'])
    expect(await values('tag=browser:Chrome&tag=region:eu')).toEqual(['card declined'])
    expect(await values('tag=user.id:joe')).toEqual(['blank page'])
    expect(await values('tag=browser:Safari')).toEqual([])
    expect(await values('tag=region:us&query=timeout')).toEqual(['timeout'])
  })

  it('refuses malformed tag and assignee filters with a reason', async () => {
    const noValue = await f.api('GET', `${base}/issues?tag=browser`)
    expect(noValue.status).toBe(400)
    expect(noValue.body.detail).toMatch(/tag\[0\]: must be key:value/)
    const many = await f.api('GET', `${base}/issues?${Array.from({ length: 11 }, (_, i) => `tag=k${i}:v`).join('&')}`)
    expect(many.status).toBe(400)
    expect((await f.api('GET', `${base}/issues?assigned=jane`)).status).toBe(400)
    // An org token is no user: "me" means nobody.
    expect((await f.api('GET', `${base}/issues?assigned=me`)).status).toBe(400)
  })

  it('suggests tag keys and the common values of a key, by prefix', async () => {
    const keys = (await f.api('GET', `${base}/tag-keys`)).body.data
    expect(keys.map((k: any) => k.key).sort()).toEqual(['browser', 'region'])
    expect(keys.find((k: any) => k.key === 'region').count).toBe(4)
    const browsers = (await f.api('GET', `${base}/tag-keys/browser/values?prefix=ch`)).body.data
    expect(browsers).toEqual([{ value: 'Chrome', count: 2 }])
    const users = (await f.api('GET', `${base}/tag-keys/user.id/values`)).body.data.map((v: any) => v.value).sort()
    expect(users).toEqual(['jane', 'joe'])
    expect((await f.api('GET', `${base}/tag-keys/bad key/values`)).status).toBe(400)
  })

  it("walks an issue's events: oldest, previous, next, latest", async () => {
    const events = (await f.api('GET', `${base}/issues/${ids['card declined']}/events`)).body.data.map((e: any) => e.eventId)
    expect(events).toHaveLength(2)
    const [newer, older] = events
    const around = (id: string) => f.api('GET', `${base}/issues/${ids['card declined']}/events/${id}/neighbours`)
    expect((await around(newer)).body).toEqual({ oldest: older, previous: older, next: null, latest: newer })
    expect((await around(older)).body).toEqual({ oldest: older, previous: null, next: newer, latest: newer })
    const detail = (await f.api('GET', `${base}/issues/${ids['card declined']}`)).body
    expect(detail.latestEvent).toMatchObject({ eventId: newer, issueId: ids['card declined'], payload: expect.any(Object) })
    const other = (await f.api('GET', `${base}/issues/${ids['timeout']}/events`)).body.data[0].eventId
    expect((await around(other)).status).toBe(404)
    expect((await around('nope')).status).toBe(400)
  })

  it('marks issues whose series is anomalous in the sparkline window', async () => {
    const { client, database } = f.server.platform.eventStore
    const minute = Math.floor(Date.now() / 60_000) * 60
    await client.insert({
      table: `${database}.anomaly_scores`,
      values: [
        { project_id: Number(f.projectId), series_kind: 'issue', series_id: ids['timeout'], minute, value: 40, score: 0.9999, model_version: 'test', drivers: '[]' },
        { project_id: Number(f.projectId), series_kind: 'issue', series_id: ids['blank page'], minute, value: 1, score: 0.01, model_version: 'test', drivers: '[]' },
      ],
      format: 'JSONEachRow',
    })
    const rows = (await f.api('GET', `${base}/issues?status=all&stats=24h`)).body.data
    const marker = (value: string) => rows.find((i: any) => i.value === value).anomaly
    expect(marker('timeout')).toMatchObject({ score: expect.closeTo(0.9999, 3) })
    expect(marker('blank page')).toBeNull()
    expect(marker('card declined')).toBeNull()
    // Without stats, no window and no marker.
    expect((await f.api('GET', `${base}/issues?status=all`)).body.data[0].anomaly).toBeUndefined()
  })
})

describe('the event-rate chart', () => {
  it("answers an issue's events per bucket with each bucket's anomaly score, and no band without history", async () => {
    const { status, body } = await f.api('GET', `${base}/issues/${ids['timeout']}/rate?range=24h`)
    expect(status).toBe(200)
    expect(body.bucketSeconds).toBe(60)
    expect(body.points).toHaveLength(1440)
    expect(body.points.reduce((n: number, p: any) => n + p.events, 0)).toBe(1)
    const marked = body.points.filter((p: any) => p.anomalous)
    expect(marked).toHaveLength(1)
    expect(marked[0].score).toBeGreaterThanOrEqual(body.threshold)
    expect(body.forecast).toBeNull()
    const week = (await f.api('GET', `${base}/issues/${ids['timeout']}/rate?range=7d`)).body
    expect(week.bucketSeconds).toBe(3600)
    expect(week.points).toHaveLength(168)
    expect((await f.api('GET', `${base}/issues/${ids['timeout']}/rate?range=1y`)).status).toBe(400)
  })
})

describe('assignment and activity', () => {
  it('assigns to a member who can triage, lists and filters by assignee, records it', async () => {
    const { accounts, projects } = f.server.platform
    const { createUser, setMembership } = await import('@faultline/core/accounts')
    const project = (await projects.projects.get(f.projectId))!
    const ann = await createUser(accounts, { email: 'ann@example.com', name: 'Ann' })
    await setMembership(accounts, project.orgId, ann._id, 'member')
    const vic = await createUser(accounts, { email: 'vic@example.com', name: 'Vic' })
    await setMembership(accounts, project.orgId, vic._id, 'viewer')

    const assignees = (await f.api('GET', `${base}/assignees`)).body.data.map((u: any) => u.email)
    expect(assignees).toContain('ann@example.com')
    expect(assignees).not.toContain('vic@example.com')
    const refused = await f.api('POST', `${base}/issues/assign`, { ids: [ids['timeout']], assigneeId: vic._id })
    expect(refused.status).toBe(400)

    const assigned = await f.api('POST', `${base}/issues/assign`, { ids: [ids['timeout'], ids['blank page']], assigneeId: ann._id })
    expect(assigned.status).toBe(200)
    expect(assigned.body.data[0].assignee).toEqual({ id: ann._id, email: 'ann@example.com', name: 'Ann' })
    expect(await values(`assigned=${ann._id}`)).toEqual(['blank page', 'timeout'])
    expect(await values('assigned=none')).toEqual(['card declined'])
    const row = (await f.api('GET', `${base}/issues?status=all&assigned=${ann._id}`)).body.data[0]
    expect(row.assignee.email).toBe('ann@example.com')

    await f.api('POST', `${base}/issues/assign`, { ids: [ids['blank page']], assigneeId: null })
    const activity = (await f.api('GET', `${base}/issues/${ids['blank page']}/activity`)).body.data
    expect(activity.map((a: any) => [a.kind, a.data.assigneeId])).toEqual([
      ['assigned', null],
      ['assigned', ann._id],
    ])
    expect(activity[0].actor).toMatchObject({ type: 'token', name: 'tests' })
  })

  it('records status changes by users, and the regression a new event causes', async () => {
    const issue = ids['card declined']
    expect((await f.api('PUT', `${base}/issues`, { ids: [issue], status: 'resolved' })).status).toBe(200)
    await send([{ type: 'CheckoutError', value: 'card declined', stack: ['charge'] }])
    const activity = await f.waitFor(async () => {
      const { body } = await f.api('GET', `${base}/issues/${issue}/activity`)
      return body.data.length >= 2 ? body.data : undefined
    })
    expect(activity.map((a: any) => [a.kind, a.actor.type, a.data.status, a.data.substatus])).toEqual([
      ['status', 'system', 'unresolved', 'regressed'],
      ['status', 'token', 'resolved', undefined],
    ])
  })

  it('records a merge on both sides, and keeps comments', async () => {
    const merged = await f.api('POST', `${base}/issues/merge`, { ids: [ids['timeout'], ids['blank page']], into: ids['timeout'] })
    expect(merged.status).toBe(200)
    const survivor = (await f.api('GET', `${base}/issues/${ids['timeout']}/activity`)).body.data
    expect(survivor[0]).toMatchObject({ kind: 'merged', data: { from: [ids['blank page']] } })
    const absorbed = (await f.api('GET', `${base}/issues/${ids['blank page']}/activity`)).body.data
    expect(absorbed[0]).toMatchObject({ kind: 'merged', data: { into: ids['timeout'] } })

    const comment = await f.api('POST', `${base}/issues/${ids['timeout']}/comments`, { text: 'Looking into the pool size' })
    expect(comment.status).toBe(201)
    expect((await f.api('POST', `${base}/issues/${ids['timeout']}/comments`, { text: '   ' })).status).toBe(400)
    const listed = (await f.api('GET', `${base}/issues/${ids['timeout']}/activity`)).body.data
    expect(listed[0]).toMatchObject({ kind: 'comment', data: { text: 'Looking into the pool size' } })
    expect((await f.api('DELETE', `${base}/issues/${ids['timeout']}/comments/${comment.body.id}`)).status).toBe(204)
    expect((await f.api('DELETE', `${base}/issues/${ids['timeout']}/comments/${comment.body.id}`)).status).toBe(404)
  })
})

describe('project platform', () => {
  it('is changed, listed with the project, and refused when unknown', async () => {
    expect((await f.api('GET', `/projects/${f.projectId}`)).body.platform).toBeNull()
    const changed = await f.api('PATCH', `/projects/${f.projectId}`, { platform: 'browser' })
    expect(changed.status).toBe(200)
    expect(changed.body.platform).toBe('browser')
    expect((await f.api('GET', '/projects')).body.data.find((p: any) => p.id === f.projectId).platform).toBe('browser')
    const unknown = await f.api('PATCH', `/projects/${f.projectId}`, { platform: 'cobol' })
    expect(unknown.status).toBe(400)
    expect(unknown.body.detail).toMatch(/platform/)
  })
})
