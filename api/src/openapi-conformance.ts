/**
 * Test support: calls routes and checks each answer against the response schema the OpenAPI
 * document publishes for its status, so a schema that disagrees with what a route answers fails.
 */
import type { Hono } from 'hono'
import { declaredRoutes } from './permissions'
import { responses, type ResponseName } from './openapi-schemas'
import type { Answer } from './testing/api-harness'

export interface PublishedDocument {
  paths: Record<string, Record<string, { 'x-permission': string; responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>>
  components: { schemas: Record<string, unknown> }
}

export type Call = [method: string, path: string, body?: unknown]

export const openApiPath = (path: string) => path.replace(/^\/api\/v1/, '').replace(/:(\w+)/g, '{$1}')

/** One line per call whose answer is not a documented JSON answer or does not match its schema. */
export async function shapeProblems(app: Hono, doc: PublishedDocument, request: (method: string, path: string, body?: unknown) => Promise<Answer>, calls: Call[]): Promise<string[]> {
  const routes = declaredRoutes(app)
  const problems: string[] = []
  for (const [method, path, body] of calls) {
    const answer = await request(method, path, body)
    const bare = path.split('?')[0]!
    const route = routes.find((r) => r.method === method && new RegExp(`^${openApiPath(r.path).replace(/\{\w+\}/g, '[^/]+')}$`).test(bare))
    const op = route && doc.paths[openApiPath(route.path)]?.[method.toLowerCase()]
    const ref = op?.responses[String(answer.status)]?.content?.['application/json']?.schema.$ref
    if (!ref) {
      problems.push(`${method} ${path}: ${answer.status} is not a documented JSON answer (${String(JSON.stringify(answer.body)).slice(0, 200)})`)
      continue
    }
    const parsed = responses[ref.split('/').at(-1) as ResponseName].safeParse(answer.body)
    if (!parsed.success) problems.push(`${method} ${path}: ${parsed.error.message.slice(0, 300)}`)
  }
  return problems
}
