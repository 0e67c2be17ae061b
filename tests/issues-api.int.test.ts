/** The issues API over a running Faultline: filters, sorts, pagination, status changes, merge, delete, bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendEvents, sentryEvent, type EventShape } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'
import { responses, type ResponseName } from '../api/src/openapi-schemas'

let f: TestFaultline
let issuesPath: string

async function send(shapes: EventShape[]): Promise<void> {
  const statuses = await sendEvents(f.url, f.projectId, f.publicKey, shapes.map(sentryEvent))
  expect(statuses.every((s) => s === 200)).toBe(true)
}

/** Waits until the project's issues account for `total` events, then returns them. */
async function issuesWithTotal(total: number, query = 'status=all&limit=100'): Promise<any[]> {
  return f.waitFor(async () => {
    const { body } = await f.api('GET', `${issuesPath}?${query}`)
    return body.data.reduce((n: number, i: any) => n + i.count, 0) === total ? body.data : undefined
  })
}

const byValue = (issues: any[], value: string) => issues.find((i) => i.value === value)

beforeAll(async () => {
  f = await startFaultline()
  issuesPath = `/projects/${f.projectId}/issues`
  const hour = 3_600_000
  await send([
    { type: 'DbError', value: 'connection refused', stack: ['connect'], environment: 'production', release: 'api@1.0', user: 'a', tags: { region: 'eu' }, timestamp: Date.now() - 3 * hour },
    { type: 'DbError', value: 'connection refused', stack: ['connect'], environment: 'production', release: 'api@1.0', user: 'b', tags: { region: 'eu' } },
    { type: 'DbError', value: 'connection refused', stack: ['connect'], environment: 'staging', release: 'api@1.1', user: 'b', tags: { region: 'us' } },
    { type: 'TypeError', value: 'x is undefined', stack: ['render'], level: 'warning', environment: 'staging', release: 'api@1.1', user: 'c', timestamp: Date.now() - 2 * hour },
    { type: 'RangeError', value: 'too deep', stack: ['recurse'], level: 'fatal', release: 'api@1.1' },
    { type: 'RangeError', value: 'too deep', stack: ['recurse'], level: 'fatal', release: 'api@1.1' },
  ])
  await issuesWithTotal(6)
}, 60_000)

afterAll(() => f?.stop())

describe('issue list', () => {
  it('sorts by last seen, first seen, events and users', async () => {
    const ids = async (sort: string) => (await f.api('GET', `${issuesPath}?sort=${sort}`)).body.data.map((i: any) => i.value)
    expect(await ids('events')).toEqual(['connection refused', 'too deep', 'x is undefined'])
    expect(await ids('users')).toEqual(['connection refused', 'x is undefined', 'too deep'])
    expect((await ids('first_seen'))[2]).toBe('connection refused')
    expect((await ids('last_seen'))[2]).toBe('x is undefined')
  })

  it('filters by level, environment, release, time and text', async () => {
    const values = async (query: string) => (await f.api('GET', `${issuesPath}?${query}`)).body.data.map((i: any) => i.value).sort()
    expect(await values('level=fatal')).toEqual(['too deep'])
    expect(await values('environment=staging')).toEqual(['connection refused', 'x is undefined'])
    expect(await values('release=api@1.0')).toEqual(['connection refused'])
    expect(await values(`since=${Date.now() - 60 * 60_000}`)).toEqual(['connection refused', 'too deep'])
    expect(await values('query=UNDEFINED')).toEqual(['x is undefined'])
    expect(await values('query=rangeerror')).toEqual(['too deep'])
  })

  it('pages with a cursor and returns sparkline counts', async () => {
    const first = await f.api('GET', `${issuesPath}?sort=events&limit=2&stats=24h`)
    expect(first.body.data).toHaveLength(2)
    const second = await f.api('GET', `${issuesPath}?sort=events&limit=2&cursor=${first.body.nextCursor}`)
    expect(second.body.data.map((i: any) => i.value)).toEqual(['x is undefined'])
    expect(second.body.nextCursor).toBeNull()
    const stats = first.body.data[0].stats
    expect(stats).toHaveLength(24)
    expect(stats.reduce((n: number, [, c]: [string, number]) => n + c, 0)).toBe(3)
  })

  it('answers bad input with 400, unknown things with 404, no token with 401', async () => {
    for (const query of ['sort=random', 'limit=0', 'limit=1000', 'status=gone', 'cursor=%%%', 'since=yesterday', 'stats=7y', 'level=loud']) {
      const { status, body } = await f.api('GET', `${issuesPath}?${query}`)
      expect(status, query).toBe(400)
      expect(body.detail).toBeTruthy()
    }
    expect((await f.api('GET', `/projects/999/issues`)).status).toBe(404)
    expect((await f.api('GET', `${issuesPath}/424242`)).status).toBe(404)
    expect((await f.api('GET', `${issuesPath}/abc`)).status).toBe(400)
    expect((await f.api('GET', `/projects/${f.projectId}/events/nothex`)).status).toBe(400)
    expect((await f.api('GET', `/projects/${f.projectId}/events/${'a'.repeat(32)}`)).status).toBe(404)
    const anonymous = await fetch(`${f.url}/api/v1${issuesPath}`)
    expect(anonymous.status).toBe(401)
    const wrong = await fetch(`${f.url}/api/v1${issuesPath}`, { headers: { authorization: 'Bearer flt_' + 'x'.repeat(32) } })
    expect(wrong.status).toBe(401)
    const badJson = await fetch(`${f.url}/api/v1${issuesPath}`, { method: 'PUT', headers: { authorization: `Bearer ${f.apiToken}` }, body: '{"ids": [' })
    expect(badJson.status).toBe(400)
    expect((await f.api('PUT', issuesPath, { ids: ['1'], status: 'deleted' })).status).toBe(400)
    expect((await f.api('PUT', issuesPath, { ids: [], status: 'resolved' })).status).toBe(400)
  })

  it('serves an OpenAPI document', async () => {
    const response = await fetch(`${f.url}/api/v1/openapi.json`)
    const doc = await response.json()
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toContain('/projects/{projectId}/issues')
  })
})

describe('issue lifecycle', () => {
  it('regresses a resolved issue when it happens again', async () => {
    const issues = await issuesWithTotal(6)
    const issue = byValue(issues, 'x is undefined')
    const resolved = await f.api('PUT', issuesPath, { ids: [issue.id], status: 'resolved' })
    expect(resolved.body.data[0].status).toBe('resolved')
    await expectPublishedShape('PUT', '/projects/{projectId}/issues', resolved.body)
    await send([{ type: 'TypeError', value: 'x is undefined', stack: ['render'], level: 'warning' }])
    const regressed = await f.waitFor(async () => {
      const { body } = await f.api('GET', `${issuesPath}/${issue.id}`)
      return body.status === 'unresolved' ? body : undefined
    })
    expect(regressed.substatus).toBe('regressed')
  })

  it('keeps a "resolved in next release" issue resolved for the old release and regresses it in a new one', async () => {
    const issues = await issuesWithTotal(7)
    const issue = byValue(issues, 'too deep')
    const { body } = await f.api('PUT', issuesPath, { ids: [issue.id], status: 'resolved_in_next_release' })
    expect(body.data[0]).toMatchObject({ status: 'resolved_in_next_release', resolvedInRelease: 'api@1.1' })
    await send([{ type: 'RangeError', value: 'too deep', stack: ['recurse'], level: 'fatal', release: 'api@1.1' }])
    await issuesWithTotal(8)
    expect((await f.api('GET', `${issuesPath}/${issue.id}`)).body.status).toBe('resolved_in_next_release')
    await send([{ type: 'RangeError', value: 'too deep', stack: ['recurse'], level: 'fatal', release: 'api@1.2' }])
    const regressed = await f.waitFor(async () => {
      const { body } = await f.api('GET', `${issuesPath}/${issue.id}`)
      return body.status === 'unresolved' ? body : undefined
    })
    expect(regressed.substatus).toBe('regressed')
  })

  it('brings an ignored issue back after the given number of events', async () => {
    const issues = await issuesWithTotal(9)
    const issue = byValue(issues, 'connection refused')
    const { body } = await f.api('PUT', issuesPath, { ids: [issue.id], status: 'ignored', ignore: { untilEventCount: 2 } })
    expect(body.data[0].status).toBe('ignored')
    expect((await f.api('GET', `${issuesPath}?status=unresolved`)).body.data.map((i: any) => i.id)).not.toContain(issue.id)
    await send([{ type: 'DbError', value: 'connection refused', stack: ['connect'] }])
    await issuesWithTotal(10)
    expect((await f.api('GET', `${issuesPath}/${issue.id}`)).body.status).toBe('ignored')
    await send([{ type: 'DbError', value: 'connection refused', stack: ['connect'] }])
    const back = await f.waitFor(async () => {
      const { body } = await f.api('GET', `${issuesPath}/${issue.id}`)
      return body.status === 'unresolved' ? body : undefined
    })
    expect(back.substatus).toBe('escalating')
  })

  it('merges issues without rewriting events, and routes new events to the merged issue', async () => {
    const issues = await issuesWithTotal(11)
    const a = byValue(issues, 'connection refused')
    const b = byValue(issues, 'x is undefined')
    const merged = await f.api('POST', `${issuesPath}/merge`, { ids: [b.id, a.id] })
    expect(merged.status).toBe(200)
    expect(merged.body.id).toBe(a.id)
    expect(merged.body.count).toBe(a.count + b.count)
    expect(merged.body.fingerprints).toHaveLength(2)
    await expectPublishedShape('POST', '/projects/{projectId}/issues/merge', merged.body)
    expect((await f.api('GET', `${issuesPath}/${b.id}`)).body).toMatchObject({ status: 'merged', mergedInto: a.id })
    await send([{ type: 'TypeError', value: 'x is undefined', stack: ['render'], level: 'warning' }])
    await f.waitFor(async () => ((await f.api('GET', `${issuesPath}/${a.id}`)).body.count === a.count + b.count + 1 ? true : undefined))
    const events = await f.api('GET', `${issuesPath}/${a.id}/events?limit=100`)
    expect(events.body.data).toHaveLength(a.count + b.count + 1)
    await expectPublishedShape('GET', '/projects/{projectId}/issues/{issueId}/events', events.body)
    expect((await f.api('POST', `${issuesPath}/merge`, { ids: [a.id] })).status).toBe(400)
    expect((await f.api('PUT', issuesPath, { ids: [b.id], status: 'resolved' })).status).toBe(409)
  })

  it('deletes an issue with its events; the next event opens a new issue', async () => {
    const issues = await issuesWithTotal(12)
    const issue = byValue(issues, 'too deep')
    const detail = await f.api('GET', `${issuesPath}/${issue.id}`)
    const eventId = detail.body.latestEvent.eventId
    expect((await f.api('DELETE', `${issuesPath}/${issue.id}`)).status).toBe(204)
    expect((await f.api('GET', `${issuesPath}/${issue.id}`)).status).toBe(404)
    expect((await f.api('GET', `/projects/${f.projectId}/events/${eventId}`)).status).toBe(404)
    await send([{ type: 'RangeError', value: 'too deep', stack: ['recurse'], level: 'fatal' }])
    const fresh = await f.waitFor(async () => {
      const found = byValue((await f.api('GET', `${issuesPath}?status=all`)).body.data, 'too deep')
      return found?.count === 1 ? found : undefined
    })
    expect(fresh.id).not.toBe(issue.id)
    expect(fresh.count).toBe(1)
  })
})

/** The answer matches the response schema the OpenAPI document publishes for the route. */
async function expectPublishedShape(method: string, path: string, body: unknown): Promise<void> {
  const doc = (await f.api('GET', '/openapi.json')).body
  const ref: string | undefined = doc.paths[path]?.[method.toLowerCase()]?.responses?.['200']?.content?.['application/json']?.schema?.$ref
  expect(ref, `${method} ${path} publishes a named response schema`).toBeDefined()
  const parsed = responses[ref!.split('/').at(-1) as ResponseName].safeParse(body)
  expect(parsed.success ? [] : parsed.error.issues, `${method} ${path}`).toEqual([])
}
