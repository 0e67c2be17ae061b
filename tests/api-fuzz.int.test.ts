/**
 * Fuzz test of every REST API route against a real Faultline. The routes come from the API's own
 * router, so a route added later is fuzzed without touching this file (a new path parameter
 * fails the test until it gets a valid value below). Each path parameter, query parameter and
 * body gets hostile values while the rest stay valid, so the value reaches the code that reads
 * it: every answer must be a 4xx with an application/problem+json reason or a success, never a
 * 5xx or no answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearerFor, fill, paramNames, seedApiSurface, violations, type ApiSurface, type Probe } from './support/api-surface'
import { startFaultline, type TestFaultline } from './support/faultline'
import { craftedCursors, hostilePathValues, hostileQueryValues } from './support/hostile-values'

let f: TestFaultline
/**
 * Who probes: an organization admin token (every project and organization route) and an instance
 * administrator (dead letters, audit verification), so hostile values get past the permission
 * check to the code that reads them.
 */
let surface: ApiSurface
/** Query parameter names the API documents, per route path (as the router writes it). */
let documentedQueries: Map<string, string[]>
/** Read by most lists whether documented or not. */
const commonQueryNames = ['cursor', 'limit', 'after', 'since', 'until']
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
  surface = await seedApiSurface(f)
  const openApi = (await f.api('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> }
  documentedQueries = new Map(
    Object.entries(openApi.paths).map(([path, methods]) => [
      `/api/v1${path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`,
      Object.values(methods).flatMap((op) => (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)),
    ]),
  )
}, 90_000)

afterAll(() => f?.stop())

/** A probe as the caller that gets furthest into the route. */
const probe = (method: string, routePath: string, path: string, body?: string): Probe => ({ method, path, body, headers: { authorization: `Bearer ${bearerFor(surface, routePath)}` } })

describe('API fuzz', () => {
  it('knows a valid value for every path parameter of every route', () => {
    expect(surface.routes.length).toBeGreaterThan(10)
    const unknown = surface.routes.flatMap((r) => paramNames(r.path).filter((name) => surface.valid[name] === undefined).map((name) => `${r.method} ${r.path}: ${name}`))
    expect(unknown).toEqual([])
  })

  it('answers hostile path parameters of every route with a 4xx reason, never a 5xx', async () => {
    const probes = surface.routes.flatMap((route) =>
      paramNames(route.path).flatMap((name) =>
        hostilePathValues.map((value) => probe(route.method, route.path, fill(route.path, { ...surface.valid, [name]: encodeURIComponent(value).replaceAll('%25', '%') }))),
      ),
    )
    expect(await violations(f.url, probes)).toEqual([])
  }, 300_000)

  it('answers hostile query parameters of every GET route with a 4xx reason, never a 5xx', async () => {
    // Every route's documented query parameters (the OpenAPI document lists every route) and the
    // paging ones lists read; crafted cursors for `cursor`, the other hostile values for all.
    const namesAndValues = (path: string): [string, readonly string[]][] =>
      [...new Set([...(documentedQueries.get(path) ?? []), ...commonQueryNames])].map((name) => [name, name === 'cursor' ? hostileQueryValues : otherQueryValues])
    expect(surface.routes.filter((route) => route.method === 'GET' && (documentedQueries.get(route.path) ?? []).length > 0).length, 'routes with documented query parameters').toBeGreaterThan(5)
    const probes = surface.routes
      .filter((route) => route.method === 'GET')
      .flatMap((route) => namesAndValues(route.path).flatMap(([name, values]) => values.map((value) => probe('GET', route.path, `${fill(route.path, surface.valid)}?${name}=${encodeURIComponent(value)}`))))
    expect(await violations(f.url, probes)).toEqual([])
  }, 600_000)

  it('answers hostile bodies of every route that takes one with a 4xx reason, never a 5xx', async () => {
    const probes = surface.routes
      .filter((route) => route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH')
      .flatMap((route) => hostileBodies.map((body) => probe(route.method, route.path, fill(route.path, surface.valid), body)))
    expect(await violations(f.url, probes)).toEqual([])
  }, 300_000)
})
