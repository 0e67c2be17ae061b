/** What openapi.ts lends the route files that describe their own part of the document. */
import type { z } from 'zod'
import type { ResponseName } from '../openapi-schemas'

export interface OpenApiHelpers {
  project: object
  errors: Record<string, object>
  json: (schema: object, description?: string) => object
  jsonBody: (schema: z.ZodType) => object
  queryParams: (schema: z.ZodObject) => object[]
  pathParam: (name: string, description: string) => object
  /** A JSON answer with a published response schema, at `status` (200 unless given), and the problem answers. */
  ok: (name: ResponseName, status?: number) => Record<string, object>
}
