/**
 * Opaque keyset cursors: the sort value and id of the last item of a page, base64url JSON. Each
 * list's cursor has a schema of its own (`cursors`), used in the route's query schema, so a
 * crafted cursor is refused at the edge with a 400 and never reaches a query as a value of the
 * wrong type or range.
 */
import { z } from 'zod'
import { issueIdSchema, maxTimeMs, templateIdSchema } from '../validation'

export interface CursorPosition {
  value: number
  id: string
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.value, position.id])).toString('base64url')
}

const invalidCursor = 'invalid cursor; pass the nextCursor of a previous page unchanged'

/** A query parameter holding a cursor whose position is `[value, id]`, decoded to a CursorPosition. */
function cursorSchema(value: z.ZodType<number>, id: z.ZodType<string>) {
  const position = z.tuple([value, id])
  return z
    .string()
    .max(500)
    .transform((text, ctx): CursorPosition => {
      let decoded: unknown
      try {
        decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
      } catch {
        // Not JSON: refused below like any other malformed position.
      }
      const parsed = position.safeParse(decoded)
      if (parsed.success) return { value: parsed.data[0], id: parsed.data[1] }
      ctx.addIssue({ code: 'custom', message: invalidCursor })
      return z.NEVER
    })
}

/** Counts and times in ms: what ClickHouse's Int64 and the metadata stores compare exactly. */
const sortValue = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)
const eventTime = z.number().int().nonnegative().max(maxTimeMs)
/** An event id as ClickHouse prints it. */
const storedEventId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)

export const cursors = {
  /** Issues by last/first seen or by event/user count, then id. */
  issues: cursorSchema(sortValue, issueIdSchema),
  /** Events newest first: timestamp, then event id. */
  events: cursorSchema(eventTime, storedEventId),
  /** Patterns by count or last seen, then template id. */
  patterns: cursorSchema(sortValue, templateIdSchema),
  /** Security events newest first: timestamp, then the event's 32-hex id. */
  securityEvents: cursorSchema(eventTime, z.string().regex(/^[0-9a-f]{32}$/)),
}
