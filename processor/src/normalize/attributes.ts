import { Limits, capRecordSize, dropUndefined, isRecord, readRecord, readString, setOwn } from './coerce'
import { readStringPairs } from './tags'
import type { NormalizedRequest, NormalizedSdk, NormalizedUser } from './types'

const maxExtraBytes = 16 * 1024
const maxContexts = 50
const maxUserDataBytes = 4096

/** `ip_address: '{{auto}}'` asks the server to fill in the address the request came from. */
export function readUser(raw: unknown, clientIp: string | undefined): NormalizedUser | undefined {
  if (!isRecord(raw)) return undefined
  const rawIp = readString(raw.ip_address, 64)
  const data = readRecord(raw.data, 4)
  const user = dropUndefined({
    id: readString(raw.id, Limits.shortString),
    email: readString(raw.email, Limits.shortString),
    username: readString(raw.username, Limits.shortString),
    name: readString(raw.name, Limits.shortString),
    ipAddress: rawIp === '{{auto}}' ? readString(clientIp, 64) : rawIp,
    segment: readString(raw.segment, Limits.shortString),
    geo: readRecord(raw.geo, 2),
    data: data && Object.keys(data).length > 0 ? capRecordSize(data, maxUserDataBytes) : undefined,
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

function readPairs(raw: unknown): Record<string, string> | undefined {
  const pairs = readStringPairs(raw, Limits.shortString, Limits.string)
  return Object.keys(pairs).length > 0 ? pairs : undefined
}

/** Request metadata without body or cookies: those are not kept by default. */
export function readRequest(raw: unknown): NormalizedRequest | undefined {
  if (!isRecord(raw)) return undefined
  const method = readString(raw.method, 16)
  const request = dropUndefined({
    url: readString(raw.url, Limits.longString),
    method: method?.toUpperCase(),
    query: readQuery(raw),
    fragment: readString(raw.fragment, Limits.string),
    headers: readPairs(raw.headers),
    env: readPairs(raw.env),
  })
  return Object.keys(request).length > 0 ? request : undefined
}

/** Installed packages and their versions (`modules`), as text pairs. */
export function readModules(raw: unknown): Record<string, string> | undefined {
  return readPairs(raw)
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
