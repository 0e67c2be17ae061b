import { isRecord, readString, setOwn, truncate } from './coerce'

export const maxTagKeyLength = 32
export const maxTagValueLength = 200
const maxTags = 200

function pairsOf(raw: unknown): [unknown, unknown][] {
  if (Array.isArray(raw)) {
    return raw.filter((pair): pair is unknown[] => Array.isArray(pair) && pair.length >= 2).map((pair) => [pair[0], pair[1]])
  }
  return isRecord(raw) ? Object.entries(raw) : []
}

/**
 * Tags from an object or a list of `[key, value]` pairs, as string pairs with keys of at most
 * 32 and values of at most 200 characters (Sentry's limits); values that are not scalars are
 * dropped, since a tag must be indexable text.
 */
export function readStringPairs(raw: unknown, maxKey = maxTagKeyLength, maxValue = maxTagValueLength): Record<string, string> {
  const out: Record<string, string> = {}
  let count = 0
  for (const [rawKey, rawValue] of pairsOf(raw)) {
    if (count >= maxTags) break
    const key = typeof rawKey === 'string' ? rawKey.trim() : undefined
    const value = readString(rawValue, maxValue)
    if (!key || value === undefined) continue
    setOwn(out, truncate(key, maxKey), value)
    count++
  }
  return out
}

export function readTags(raw: unknown): Record<string, string> {
  return readStringPairs(raw)
}
