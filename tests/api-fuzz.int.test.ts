/**
 * Fuzz test of every REST API route against a real Faultline. The routes come from the API's own
 * router, so a route added later is fuzzed without touching this file (a new path parameter
 * fails the test until it gets a valid value below). Each path parameter, query parameter and
 * body gets hostile values while the rest stay valid, so the value reaches the code that reads
 * it: every answer must be a 4xx with an application/problem+json reason or a success, never a
 * 5xx or no answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiTier, permissionsOf } from '@faultline/api'
import { createApiToken, createUser } from '@faultline/core/accounts'
import { sendEvents, sentryEvent } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'
import { craftedCursors, hostilePathValues, hostileQueryValues } from './support/hostile-values'

let f: TestFaultline
let routes: { method: string; path: string }[]
/**
 * Who probes: an organization admin token (every project and organization route) and an instance
 * administrator (dead letters, audit verification), so hostile values get past the permission
 * check to the code that reads them.
 */
let bearers: { org: string; instance: string }
/** A valid value for each path parameter the API has. */
const valid: Record<string, string> = {}
/** Query parameter names the API documents, per route path (as the router writes it). */
let documentedQueries: Map<string, string[]>
/** Read by most lists whether documented or not. */
const commonQueryNames = ['cursor', 'limit', 'after', 'since', 'until']
const concurrency = 4
/** For parameters other than `cursor`: every hostile value but most crafted cursors. */
const otherQueryValues = hostileQueryValues.filter((value) => !craftedCursors.includes(value) || value === craftedCursors[1])

const hostileBodies: readonly string[] = [
  '',
  'null',
  '[]',
  '"x"',
  '{',
  '{"ids":["1.5"],"status":"resolved"}',
  '{"ids":["-1","0"],"into":"1e300"}',
  `{"ids":[${Array.from({ length: 20_000 }, () => '"1"').join(',')}],"status":"resolved"}`,
  '['.repeat(100_000),
  `{"csv":"${'x'.repeat(3_000_000)}"}`,
  '{"csv":"timestamp,value\\n1e300,1e300\\n-1,NaN"}',
  '{"series":"issue","issueId":"99999999999999999"}',
  '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
]

beforeAll(async () => {
  f = await startFaultline()
  const now = Date.now()
  const statuses = await sendEvents(f.url, f.projectId, f.publicKey, [
    sentryEvent({ type: 'FuzzError', value: 'timeout after 3012 ms for user 88', stack: ['fetchUser'], timestamp: now - 120_000 }),
    sentryEvent({ type: 'FuzzError', value: 'timeout after 17 ms for user 4', stack: ['fetchUser'], timestamp: now - 60_000 }),
    sentryEvent({ message: 'disk full on volume 3', timestamp: now }),
  ])
  expect(statuses).toEqual([200, 200, 200])
  const issue = await f.waitFor(async () => (await f.api('GET', `/projects/${f.projectId}/issues?limit=1`)).body.data[0])
  const pattern = await f.waitFor(async () => (await f.api('GET', `/projects/${f.projectId}/patterns?limit=1`)).body.data[0])
  const event = await f.waitFor(async () => (await f.api('GET', `/projects/${f.projectId}/issues/${issue.id}/events?limit=1`)).body.data[0])
  const { accounts, projects } = f.server.platform
  const orgId = (await projects.projects.get(f.projectId))!.orgId
  const org = await createApiToken(accounts.tokens, { kind: 'org', orgId, name: 'fuzz', scopes: permissionsOf('admin') })
  const operator = await createUser(accounts, { email: 'fuzz-operator@faultline.test', name: 'Fuzz operator', instanceAdmin: true })
  const instance = await createApiToken(accounts.tokens, { kind: 'personal', userId: operator._id, name: 'fuzz', scopes: ['instance:read', 'instance:write'] })
  // A token the probes may name (its deletion is never sent with every parameter valid).
  const spare = await createApiToken(accounts.tokens, { kind: 'org', orgId, name: 'fuzz spare', scopes: permissionsOf('member') })
  bearers = { org: org.token, instance: instance.token }
  const organization = (await accounts.organizations.get(orgId))!
  Object.assign(valid, {
    projectId: f.projectId,
    issueId: issue.id,
    eventId: event.eventId,
    templateId: pattern.id,
    subject: 'errors',
    seq: '1',
    orgId,
    tokenId: spare.doc._id,
    publicKey: f.publicKey,
    userId: operator._id,
    orgSlug: organization.slug,
    // Well-formed ids of nothing: the routes answer 404 once every other parameter is valid.
    invitationId: 'a'.repeat(64),
    elevationId: '00000000-0000-4000-8000-000000000000',
    investigationId: '00000000-0000-4000-8000-000000000000',
    searchId: '00000000-0000-4000-8000-000000000000',
    commentId: '00000000-0000-4000-8000-000000000000',
    key: 'browser',
    erasureId: '0'.repeat(24),
    ruleId: 'fuzz-nothing',
    id: 'fuzz-nothing',
    name: 'fuzz-nothing',
    feedToken: 'f'.repeat(32),
  })

  const { app } = await createApiTier(f.server.platform, f.url)
  const seen = new Set<string>()
  routes = app.routes.filter((r) => r.method !== 'ALL' && !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`)).map((r) => ({ method: r.method, path: r.path }))
  const openApi = (await f.api('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> }
  documentedQueries = new Map(
    Object.entries(openApi.paths).map(([path, methods]) => [
      `/api/v1${path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`,
      Object.values(methods).flatMap((op) => (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)),
    ]),
  )
}, 90_000)

afterAll(() => f?.stop())

const paramNames = (path: string): string[] => [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!)
const fill = (path: string, values: Record<string, string>): string => path.replace(/:([A-Za-z]+)/g, (_, name: string) => values[name]!)

interface Probe {
  method: string
  path: string
  body?: string
  bearer: string
}

/** The bearer that gets furthest into a route: the instance administrator's outside projects and organizations. */
const bearerFor = (path: string): string => (/^\/api\/v1\/(projects|orgs)\b/.test(path) ? bearers.org : bearers.instance)

/** Sends every probe (a few at a time) and returns a line for each answer that breaks the contract. */
async function violations(probes: Probe[]): Promise<string[]> {
  const found: string[] = []
  let next = 0
  const worker = async () => {
    for (let i = next++; i < probes.length; i = next++) {
      const probe = probes[i]!
      const where = `${probe.method} ${probe.path.slice(0, 200)}${probe.body === undefined ? '' : ` body ${probe.body.slice(0, 60)}`}`
      try {
        const response = await fetch(`${f.url}${probe.path}`, {
          method: probe.method,
          headers: { authorization: `Bearer ${probe.bearer}`, ...(probe.body !== undefined && { 'content-type': 'application/json' }) },
          body: probe.body,
          signal: AbortSignal.timeout(60_000),
        })
        const text = await response.text()
        if (response.status >= 500) found.push(`${where}: ${response.status} ${text.slice(0, 200)}`)
        else if (response.status >= 400) {
          const detail = response.headers.get('content-type')?.startsWith('application/problem+json') ? (JSON.parse(text) as { detail?: unknown }).detail : undefined
          if (typeof detail !== 'string' || detail === '') found.push(`${where}: ${response.status} without a problem+json detail`)
        }
      } catch (error) {
        found.push(`${where}: no answer (${String(error)}: ${String((error as { cause?: unknown }).cause)})`)
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return found
}

describe('API fuzz', () => {
  it('knows a valid value for every path parameter of every route', () => {
    expect(routes.length).toBeGreaterThan(10)
    const unknown = routes.flatMap((r) => paramNames(r.path).filter((name) => valid[name] === undefined).map((name) => `${r.method} ${r.path}: ${name}`))
    expect(unknown).toEqual([])
  })

  it('answers hostile path parameters of every route with a 4xx reason, never a 5xx', async () => {
    const probes = routes.flatMap((route) =>
      paramNames(route.path).flatMap((name) =>
        hostilePathValues.map((value) => ({ method: route.method, path: fill(route.path, { ...valid, [name]: encodeURIComponent(value).replaceAll('%25', '%') }), bearer: bearerFor(route.path) })),
      ),
    )
    expect(await violations(probes)).toEqual([])
  }, 300_000)

  it('answers hostile query parameters of every GET route with a 4xx reason, never a 5xx', async () => {
    // Every route's documented query parameters (the OpenAPI document lists every route) and the
    // paging ones lists read; crafted cursors for `cursor`, the other hostile values for all.
    const namesAndValues = (path: string): [string, readonly string[]][] =>
      [...new Set([...(documentedQueries.get(path) ?? []), ...commonQueryNames])].map((name) => [name, name === 'cursor' ? hostileQueryValues : otherQueryValues])
    expect(routes.filter((route) => route.method === 'GET' && (documentedQueries.get(route.path) ?? []).length > 0).length, 'routes with documented query parameters').toBeGreaterThan(5)
    const probes = routes
      .filter((route) => route.method === 'GET')
      .flatMap((route) => namesAndValues(route.path).flatMap(([name, values]) => values.map((value) => ({ method: 'GET', path: `${fill(route.path, valid)}?${name}=${encodeURIComponent(value)}`, bearer: bearerFor(route.path) }))))
    expect(await violations(probes)).toEqual([])
  }, 600_000)

  it('answers hostile bodies of every route that takes one with a 4xx reason, never a 5xx', async () => {
    const probes = routes
      .filter((route) => route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH')
      .flatMap((route) => hostileBodies.map((body) => ({ method: route.method, path: fill(route.path, valid), body, bearer: bearerFor(route.path) })))
    expect(await violations(probes)).toEqual([])
  }, 300_000)
})
