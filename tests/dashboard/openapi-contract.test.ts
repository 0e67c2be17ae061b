/**
 * The dashboard's API client against the OpenAPI document the API serves: every operation the
 * dashboard calls exists with its method, and every query parameter it sends is declared.
 */
import { describe, expect, it } from 'vitest'
import { openApiDocument } from '@faultline/api'
import { endpoints, type Endpoint } from '../../dashboard/src/lib/api/endpoints'

interface Operation {
  parameters?: { name: string; in: string }[]
}

const document = openApiDocument('http://127.0.0.1') as { paths: Record<string, Record<string, Operation>> }

describe('the dashboard API client', () => {
  it.each(Object.entries(endpoints as Record<string, Endpoint>))('%s is an operation of the OpenAPI document', (_name, endpoint) => {
    const operation = document.paths[endpoint.path]?.[endpoint.method.toLowerCase()]
    expect(operation, `${endpoint.method} ${endpoint.path}`).toBeDefined()
    const declared = new Set((operation!.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name))
    const query = endpoint.query ?? []
    expect(query.filter((name) => !declared.has(name))).toEqual([])
    const pathParams = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
    const declaredPath = (operation!.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)
    expect(declaredPath.sort()).toEqual(pathParams.sort())
  })
})
