/**
 * Autocomplete for the search box: what the caret is on (a key being typed, or the value of a
 * key), the suggestions for it, and the text after accepting one. Keys and values come from the
 * data (the project's tag keys and their top values) besides the built-in ones.
 */
import { builtinKeys, eventFieldKeys, formatValue, levelValues, statusValues, tokenize } from './parse'

export interface CompletionTarget {
  mode: 'key' | 'value'
  /** The key whose value is being typed (mode `value`). */
  key?: string
  /** What has been typed of the key or value so far. */
  prefix: string
  /** The span of the input a suggestion replaces. */
  start: number
  end: number
}

export interface Suggestion {
  mode: 'key' | 'value'
  label: string
  /** Text that replaces the target span. */
  insert: string
  detail?: string
}

export interface KeyCount {
  key: string
  count: number
}

export function completionTarget(input: string, caret: number): CompletionTarget {
  const token = tokenize(input).find((t) => t.start < caret && caret <= t.end)
  if (!token) return { mode: 'key', prefix: '', start: caret, end: caret }
  if (token.kind === 'term' && caret > token.start + token.key!.length) {
    return { mode: 'value', key: token.key, prefix: token.value ?? '', start: token.start, end: token.end }
  }
  return { mode: 'key', prefix: input.slice(token.start, caret), start: token.start, end: token.end }
}

/** Values known without asking the data. */
export function staticValues(key: string): string[] | undefined {
  if (key === 'is') return [...statusValues]
  if (key === 'level') return [...levelValues]
  if (key === 'assigned') return ['me', 'none']
  return undefined
}

const matches = (candidate: string, prefix: string) => candidate.toLowerCase().startsWith(prefix.toLowerCase())

export function suggest(target: CompletionTarget, data: { keys: KeyCount[]; values: string[] }, limit = 10): Suggestion[] {
  if (target.mode === 'value') {
    const key = target.key!
    return [...new Set(staticValues(key) ?? data.values)]
      .filter((value) => matches(value, target.prefix) && value !== target.prefix)
      .slice(0, limit)
      .map((value) => ({ mode: 'value', label: value, insert: `${key}:${formatValue(value)} ` }))
  }
  if (target.prefix === '' && target.start !== target.end) return []
  const builtin = Object.entries(builtinKeys).map(([key, detail]) => ({ key, detail }))
  const fields = eventFieldKeys.map((key) => ({ key, detail: 'Event field' }))
  const tags = data.keys.map(({ key, count }) => ({ key, detail: `Tag · ${count.toLocaleString('en')} events` }))
  const seen = new Set<string>()
  const out: Suggestion[] = []
  for (const { key, detail } of [...builtin, ...fields, ...tags]) {
    if (seen.has(key) || !matches(key, target.prefix)) continue
    seen.add(key)
    out.push({ mode: 'key', label: `${key}:`, insert: `${key}:`, detail })
    if (out.length === limit) break
  }
  return out
}

/** The input with the suggestion in place, and where the caret goes. */
export function accept(input: string, target: CompletionTarget, suggestion: Suggestion): { text: string; caret: number } {
  const before = input.slice(0, target.start)
  const after = input.slice(target.end).replace(/^\s+/, '')
  const inserted = suggestion.insert.endsWith(' ') && after === '' ? suggestion.insert : suggestion.insert.trimEnd() + (after ? ' ' : '')
  return { text: before + inserted + after, caret: before.length + inserted.length }
}
