import { DEFAULT_MAX_JSON_DEPTH, parseJsonBytes, type JsonResult } from './json-guard'
import type { EnvelopeItem } from './types'

/** Parses an item's JSON payload (event, transaction, session, client_report, ...) with the depth guard. */
export function itemJson(item: EnvelopeItem, maxDepth = DEFAULT_MAX_JSON_DEPTH): JsonResult {
  return parseJsonBytes(item.payload, `${item.headers.type} item`, maxDepth)
}
