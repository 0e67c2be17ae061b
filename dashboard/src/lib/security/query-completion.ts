/**
 * Autocomplete for the security query box: what the caret is on (a field name being typed, or the
 * value after `field:`), the field names that fit (the query language's own field table,
 * `core/src/security/query/fields.ts`), and the text after accepting a suggestion. Values come
 * from the API (`security/field-values`): the most frequent ones in the searched time range.
 */
import { securityFields as languageFields } from '$server/core/security/query/fields'
import { quoteValue } from './timeline-params'

export interface QueryCompletionTarget {
  mode: 'field' | 'value'
  /** The field whose value is being typed (mode `value`). */
  field?: string
  /** What has been typed of the field or value so far (a value without its opening quote). */
  prefix: string
  /** The span of the text a suggestion replaces. */
  start: number
  end: number
}

export interface QuerySuggestion {
  label: string
  /** Text that replaces the target span. */
  insert: string
  detail?: string
}

/** Every field name the language takes (besides `attributes.<key>`), in the order of its table. */
export const queryFieldNames: readonly string[] = Object.keys(languageFields)

const fieldName = '[A-Za-z_@][\\w.@-]*'
const valueBefore = new RegExp(`(${fieldName})\\s*(?::|[<>]=?)\\s*("?)([^\\s"()]*)$`)
const wordBefore = /(?:^|[\s(])([\w.@-]*)$/
/** Where a field name may start: at the beginning, after `(` or a connective. */
const fieldPosition = /(?:^|\(|\b(?:and|or|not))\s*$/i

export function queryCompletionTarget(text: string, caret: number): QueryCompletionTarget | null {
  const before = text.slice(0, caret)
  const rest = /^[^\s()]*/.exec(text.slice(caret))![0]
  const value = valueBefore.exec(before)
  if (value) {
    const typed = value[3]!
    return { mode: 'value', field: value[1], prefix: typed, start: caret - typed.length - value[2]!.length, end: caret + rest.length }
  }
  const word = wordBefore.exec(before)
  if (!word) return null
  const prefix = word[1]!
  if (prefix === '' && !fieldPosition.test(before)) return null
  return { mode: 'field', prefix, start: caret - prefix.length, end: caret + rest.length }
}

const startsWith = (candidate: string, prefix: string) => candidate.toLowerCase().startsWith(prefix.toLowerCase())

export function fieldSuggestions(prefix: string, limit = 12): QuerySuggestion[] {
  return queryFieldNames
    .filter((name) => startsWith(name, prefix) && name !== prefix)
    .slice(0, limit)
    .map((name) => ({ label: name, insert: `${name}: `, detail: 'Field' }))
}

export function valueSuggestions(values: { value: string; count: number }[]): QuerySuggestion[] {
  return values.map(({ value, count }) => ({ label: value, insert: `${quoteValue(value)} `, detail: `${count.toLocaleString('en')} ${count === 1 ? 'event' : 'events'}` }))
}

/** The text with the suggestion in place of the target span, and where the caret goes. */
export function acceptQuerySuggestion(text: string, target: QueryCompletionTarget, suggestion: QuerySuggestion): { text: string; caret: number } {
  const before = text.slice(0, target.start)
  const after = text.slice(target.end).replace(/^ +/, '')
  const inserted = after === '' || /^[)\s]/.test(after) ? suggestion.insert.trimEnd() + (after === '' ? ' ' : '') : suggestion.insert
  return { text: before + inserted + after, caret: before.length + inserted.length }
}
