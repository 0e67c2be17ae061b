import { Limits, capRecordSize, dropUndefined, isRecord, readRecord, readString, setOwn } from './coerce'
import { readStringPairs } from './tags'
import type { NormalizedRequest, NormalizedSdk, NormalizedUser } from './types'

const maxExtraBytes = 16 * 1024
const maxContexts = 50

/** `ip_address: '{{auto}}'` asks the server to fill in the address the request came from. */
export function readUser(raw: unknown, clientIp: string | undefined): NormalizedUser | undefined {
  if (!isRecord(raw)) return undefined
  const rawIp = readString(raw.ip_address, 64)
  const user = dropUndefined({
    id: readString(raw.id, Limits.shortString),
    email: readString(raw.email, Limits.shortString),
    username: readString(raw.username, Limits.shortString),
    ipAddress: rawIp === '{{auto}}' ? readString(clientIp, 64) : rawIp,
    segment: readString(raw.segment, Limits.shortString),
    geo: readRecord(raw.geo, 2),
  })
  return Object.keys(user).length > 0 ? user : undefined
}

function readQuery(raw: Record<string, unknown>): NormalizedRequest['query'] {
  const query = raw.query_string ?? raw.query
  if (typeof query === 'string') return readString(query, Limits.longString)
  if (Array.isArray(query)) {
    const pairs = readStringPairs(query, Limits.shortString, Limits.string)
    return Object.keys(pairs).length > 0 ? pairs : undefined
  }
  return readRecord(query, 3)
}

/** Request metadata without body or cookies: those are not kept by default. */
export function readRequest(raw: unknown): NormalizedRequest | undefined {
  if (!isRecord(raw)) return undefined
  const headers = readStringPairs(raw.headers, Limits.shortString, Limits.string)
  const method = readString(raw.method, 16)
  const request = dropUndefined({
    url: readString(raw.url, Limits.longString),
    method: method?.toUpperCase(),
    query: readQuery(raw),
    headers: Object.keys(headers).length > 0 ? headers : undefined,
  })
  return Object.keys(request).length > 0 ? request : undefined
}

export function readSdk(raw: unknown): NormalizedSdk | undefined {
  if (!isRecord(raw)) return undefined
  const sdk = dropUndefined({ name: readString(raw.name, Limits.shortString), version: readString(raw.version, 64) })
  return Object.keys(sdk).length > 0 ? sdk : undefined
}

/** Each context that is an object, bounded; other values are not contexts and are dropped. */
export function readContexts(raw: unknown): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {}
  if (!isRecord(raw)) return out
  let count = 0
  for (const [key, value] of Object.entries(raw)) {
    if (count >= maxContexts) break
    const context = readRecord(value, 6)
    if (!context) continue
    setOwn(out, key.slice(0, Limits.shortString), capRecordSize(context, maxExtraBytes))
    count++
  }
  return out
}

/** Free-form extra data, kept to about 16 KB serialized. */
export function readExtra(raw: unknown): Record<string, unknown> | undefined {
  const extra = readRecord(raw)
  if (!extra || Object.keys(extra).length === 0) return undefined
  return capRecordSize(extra, maxExtraBytes)
}

/** The fingerprint when it is a list of strings (numbers are accepted as text). */
export function readFingerprint(raw: unknown): string[] | undefined {
  if (!Array.isArray(raw)) return undefined
  const parts: string[] = []
  for (const item of raw.slice(0, 50)) {
    const text = readString(item, Limits.string)
    if (text !== undefined) parts.push(text)
  }
  return parts.length > 0 ? parts : undefined
}
