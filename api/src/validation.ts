/**
 * Request validation at the edge: a zod schema per input, failures answered 400 with the reason.
 * The ids every route takes are declared once here, so a path or query value that reaches a
 * service is already of the shape the stores expect.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { httpError } from '@faultline/core/http'
import { parseEventId } from '@faultline/core/schema'
import { slugify } from '@faultline/core/projects'

export const projectIdSchema = z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be a project number')
export const issueIdSchema = z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be an issue number')
export const templateIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'must be a 16-hex template id')
/** 32 hex digits or a dashed UUID, to 32 lowercase hex digits. */
export const eventIdSchema = z.string().transform((value, ctx) => {
  const id = parseEventId(value)
  if (id === undefined) ctx.addIssue({ code: 'custom', message: 'must be a 32-hex event id or a UUID' })
  return id ?? z.NEVER
})

/**
 * The name of something that gets a URL slug (a project, a team): the slug keeps only Latin
 * letters and digits (accents dropped), so a name without any, such as "中文" or "--", has none
 * and is refused here with the reason rather than failing in the store.
 */
export const sluggedNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((name) => slugify(name) !== '', 'must contain a Latin letter or a digit')

/** The latest time ClickHouse's DateTime64(3) holds: the end of 2299. */
export const maxTimeMs = Date.UTC(2300, 0, 1) - 1
/**
 * A time as epoch ms (a number, or digits in a query) or an ISO 8601 date-time with an offset,
 * to epoch ms between 1970 and `maxTimeMs`. An empty query value is refused, not read as 0.
 */
export const timeSchema = z
  .union([z.number(), z.string().regex(/^[0-9]{1,16}$/).transform(Number), z.iso.datetime({ offset: true }).transform((v) => Date.parse(v))])
  .pipe(z.number().int().min(0).max(maxTimeMs))

function reasons(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`).join('; ')
}

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const result = schema.safeParse(c.req.query())
  if (!result.success) throw httpError(400, `Invalid query: ${reasons(result.error)}`)
  return result.data
}

export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S, maxBytes = 1024 * 1024): Promise<z.infer<S>> {
  const text = await readBodyText(c, maxBytes)
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

/**
 * The body as text, read chunk by chunk and refused with 413 the moment it passes `maxBytes`: a
 * chunked body has no Content-Length to check first, and must not be held whole to be measured.
 */
async function readBodyText(c: Context, maxBytes: number): Promise<string> {
  const tooLarge = () => httpError(413, `Body larger than ${maxBytes} bytes`)
  if (Number(c.req.header('content-length') ?? 0) > maxBytes) throw tooLarge()
  const reader = c.req.raw.body?.getReader()
  if (!reader) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      // The answer is decided; the server drains or drops what the client still sends.
      reader.cancel().catch(() => undefined)
      throw tooLarge()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export function parseParam<S extends z.ZodType>(c: Context, name: string, schema: S): z.infer<S> {
  const result = schema.safeParse(c.req.param(name))
  if (!result.success) throw httpError(400, `Invalid path parameter ${name}: ${reasons(result.error)}`)
  return result.data
}
