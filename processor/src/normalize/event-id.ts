import { randomUUID } from 'node:crypto'

const uuidLike = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i

/** 32 lowercase hex characters: the client's id (dashed or not) when valid, else a fresh one. */
export function normalizeEventId(value: unknown): string {
  if (typeof value === 'string' && uuidLike.test(value)) return value.replace(/-/g, '').toLowerCase()
  return randomUUID().replace(/-/g, '')
}
