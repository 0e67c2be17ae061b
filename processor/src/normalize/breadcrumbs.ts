import { Limits, capRecordSize, dropUndefined, isRecord, readRecord, readString } from './coerce'
import { parseLevel } from './level'
import { parseTimestamp } from './timestamp'
import type { NormalizedBreadcrumb } from './types'

export const maxBreadcrumbs = 100
const maxDataBytes = 4096

function normalizeBreadcrumb(raw: unknown): NormalizedBreadcrumb | undefined {
  if (!isRecord(raw)) return undefined
  const data = readRecord(raw.data, 4)
  const timestamp = parseTimestamp(raw.timestamp)
  const crumb = dropUndefined({
    timestamp: timestamp === undefined ? undefined : Math.round(timestamp),
    type: readString(raw.type, Limits.shortString),
    category: readString(raw.category, Limits.shortString),
    level: parseLevel(raw.level),
    message: readString(raw.message, Limits.string),
    data: data && Object.keys(data).length > 0 ? capRecordSize(data, maxDataBytes) : undefined,
  })
  return Object.keys(crumb).length > 0 ? crumb : undefined
}

/** `{ values: [...] }` or a bare list; oldest first, only the newest 100 kept. */
export function readBreadcrumbs(raw: unknown): NormalizedBreadcrumb[] {
  const values = Array.isArray(raw) ? raw : isRecord(raw) && Array.isArray(raw.values) ? raw.values : []
  const out: NormalizedBreadcrumb[] = []
  for (const item of values.slice(-maxBreadcrumbs)) {
    const crumb = normalizeBreadcrumb(item)
    if (crumb) out.push(crumb)
  }
  return out
}
