/** What openapi.ts lends the route files that describe their own part of the document. */
import type { z } from 'zod'

export interface OpenApiHelpers {
  project: object
  errors: Record<string, object>
  json: (schema: object, description?: string) => object
  jsonBody: (schema: z.ZodType) => object
  queryParams: (schema: z.ZodObject) => object[]
  pathParam: (name: string, description: string) => object
}
