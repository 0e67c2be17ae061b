/**
 * `logentry` (or a legacy `message` object) is shown as its template with the params filled in,
 * so it is scrubbed as shown (issue 8, item 9): ingest formats it into `formatted` and scrubs
 * that, which also catches an identifier split across params (`ssn %s-%s-%s`). The template is
 * scrubbed with its placeholders kept, and each param with the key written before its
 * placeholder (`password=%s` masks its param). When the scrubbed template and params no longer
 * format to the scrubbed text, the params are dropped: nothing downstream can rebuild a value
 * that the formatted text hides.
 */
import { formatParams, printfToken } from '@faultline/core/schema'
import { REMOVE } from './actions'
import type { KeyClassifier } from './key-rules'
import type { Counter, TextScrubber } from './text-scrubber'

export interface LogEntryContext {
  text: TextScrubber
  classifier: KeyClassifier
  /** Scrubs any other value of the entry as the event walker does. */
  walk(value: unknown, key: string, counter: Counter): unknown
}

const KEY_BEFORE_PLACEHOLDER = /([A-Za-z0-9_.[\]-]{1,128})["']?[ \t]*[:=][ \t]*["']?$/

export function scrubLogEntry(entry: Record<string, unknown>, context: LogEntryContext, counter: Counter): Record<string, unknown> {
  const template = typeof entry.message === 'string' ? entry.message : undefined
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'formatted' || key === 'message' || key === 'params') continue
    const scrubbed = context.walk(value, key, counter)
    if (scrubbed !== REMOVE) Object.defineProperty(out, key, { value: scrubbed, enumerable: true, writable: true, configurable: true })
  }
  const params = entry.params === undefined ? undefined : scrubParams(template ?? '', entry.params, context, counter)
  if (template !== undefined) out.message = context.text.scrub(template, counter)
  // The SDK's own formatting is kept when it says something the template does not; when it is
  // the template filled in, it is rebuilt from the scrubbed params, which carry their key context.
  const formatted = typeof entry.formatted === 'string' ? entry.formatted : undefined
  if (formatted !== undefined && (template === undefined || formatted !== formatParams(template, entry.params))) out.formatted = context.text.scrub(formatted, counter)
  else if (template !== undefined) out.formatted = context.text.scrub(formatParams(out.message as string, params), counter)
  if (params !== undefined && (template === undefined || formatParams(out.message as string, params) === out.formatted)) out.params = params
  return out
}

function scrubParams(template: string, params: unknown, context: LogEntryContext, counter: Counter): unknown {
  const keys = placeholderKeys(template)
  if (Array.isArray(params)) return params.map((param, i) => scrubParam(param, keys.positional[i], context, counter))
  if (typeof params !== 'object' || params === null) return context.walk(params, 'params', counter)
  const out: Record<string, unknown> = {}
  for (const [name, param] of Object.entries(params)) {
    const value = scrubParam(param, keys.named.get(name) ?? name, context, counter)
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true })
  }
  return out
}

function scrubParam(param: unknown, key: string | undefined, context: LogEntryContext, counter: Counter): unknown {
  const rule = key === undefined ? undefined : context.classifier.classifyInText(key)
  if (rule !== undefined) {
    const masked = rule.action.value(param)
    if (masked !== param) counter.count++
    return masked === REMOVE ? null : masked
  }
  return context.walk(param, key ?? 'params', counter)
}

/** The key written right before each placeholder: `login password=%s` gives `password` for the first param. */
function placeholderKeys(template: string): { positional: (string | undefined)[]; named: Map<string, string> } {
  const positional: (string | undefined)[] = []
  const named = new Map<string, string>()
  let previousEnd = 0
  for (const match of template.matchAll(printfToken)) {
    const [token, name, kind] = match
    if (kind === '%') continue
    // Only the text since the previous placeholder, so a long template costs one pass.
    const before = KEY_BEFORE_PLACEHOLDER.exec(template.slice(Math.max(previousEnd, match.index - 160), match.index))
    previousEnd = match.index + token.length
    if (name !== undefined) named.set(name, before?.[1] ?? name)
    else positional.push(before?.[1])
  }
  return { positional, named }
}
