/** Request validation at the edge: a zod schema per input, failures answered 400 with the reason. */
import type { Context } from 'hono'
import type { z } from 'zod'
import { httpError } from '@faultline/core/http'

function reasons(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`).join('; ')
}

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const result = schema.safeParse(c.req.query())
  if (!result.success) throw httpError(400, `Invalid query: ${reasons(result.error)}`)
  return result.data
}

export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S, maxBytes = 1024 * 1024): Promise<z.infer<S>> {
  const length = Number(c.req.header('content-length') ?? 0)
  if (length > maxBytes) throw httpError(413, `Body larger than ${maxBytes} bytes`)
  const text = await c.req.text()
  if (text.length > maxBytes) throw httpError(413, `Body larger than ${maxBytes} bytes`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw httpError(400, 'Body is not valid JSON')
  }
  const result = schema.safeParse(json)
  if (!result.success) throw httpError(400, `Invalid body: ${reasons(result.error)}`)
  return result.data
}

export function parseParam<S extends z.ZodType>(c: Context, name: string, schema: S): z.infer<S> {
  const result = schema.safeParse(c.req.param(name))
  if (!result.success) throw httpError(400, `Invalid path parameter ${name}: ${reasons(result.error)}`)
  return result.data
}
