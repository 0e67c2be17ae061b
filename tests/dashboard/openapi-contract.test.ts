/**
 * The dashboard's API client against the OpenAPI document the API serves (`/api/v1/openapi.json`,
 * built from the router): every operation the dashboard calls exists with its method and path
 * parameters, and every query parameter it sends is declared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiHarness } from '../../api/src/testing/api-harness'
import { endpoints, type Endpoint } from '../../dashboard/src/lib/api/endpoints'

interface Operation {
  parameters?: { name: string; in: string }[]
}

let h: ApiHarness
let document: { paths: Record<string, Record<string, Operation>> }

beforeAll(async () => {
  h = await ApiHarness.start()
  document = (await h.request('GET', '/openapi.json')).body
}, 60_000)
afterAll(() => h?.close())

describe('the dashboard API client', () => {
  it.each(Object.entries(endpoints as Record<string, Endpoint>))('%s is an operation of the OpenAPI document', (_name, endpoint) => {
    const operation = document.paths[endpoint.path]?.[endpoint.method.toLowerCase()]
    expect(operation, `${endpoint.method} ${endpoint.path}`).toBeDefined()
    const declared = new Set((operation!.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name))
    expect((endpoint.query ?? []).filter((name) => !declared.has(name))).toEqual([])
    const pathParams = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
    const declaredPath = (operation!.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)
    expect(declaredPath.sort()).toEqual(pathParams.sort())
  })
})
