/** Opaque keyset cursors: the sort value and id of the last item of a page, base64url JSON. */
import { httpError } from '@faultline/core/http'

export interface CursorPosition {
  value: string | number
  id: string
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.value, position.id])).toString('base64url')
}

export function decodeCursor(cursor: string | undefined): CursorPosition | undefined {
  if (!cursor) return undefined
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(parsed) && parsed.length === 2 && (typeof parsed[0] === 'string' || typeof parsed[0] === 'number') && typeof parsed[1] === 'string') {
      return { value: parsed[0], id: parsed[1] }
    }
  } catch {
    // fall through to the 400 below
  }
  throw httpError(400, 'Invalid cursor; pass the nextCursor of a previous page unchanged')
}
