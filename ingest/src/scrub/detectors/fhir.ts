/**
 * FHIR resources reduced to their structure: keys and `resourceType` stay, every other value is
 * replaced. Resources arrive as parsed objects (request bodies) or as JSON text inside a string
 * (error messages, logged bodies); both forms are handled here.
 */
import type { TextFeatures } from '../text-features'
import type { SpanSink } from './span'

const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/

/** An object that is a FHIR resource: it names its `resourceType`. */
export function isFhirResource(value: Record<string, unknown>): boolean {
  return typeof value.resourceType === 'string' && RESOURCE_TYPE.test(value.resourceType)
}

/**
 * JSON text holding a resource: inside braces or brackets, every string that is not a key and
 * every number or literal is a value, except the value of `resourceType`. Prose around the JSON
 * is left to the other rules. One pass; strings are skipped with their escapes.
 */
export function findFhirValues(text: string, push: SpanSink, features: TextFeatures): void {
  if (features.colons === 0 || !text.includes('"resourceType"')) return
  let depth = 0
  let lastKey = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === '{' || c === '[') depth++
    else if ((c === '}' || c === ']') && depth > 0) depth--
    else if (c === '"') {
      const end = stringEnd(text, i)
      if (depth > 0) {
        const after = skipSpaces(text, end + 1)
        if (text[after] === ':') lastKey = text.slice(i + 1, end)
        else if (lastKey !== 'resourceType' && end > i + 1) push(i + 1, end)
      }
      i = end + 1
      continue
    } else if (depth > 0 && isValueStart(c) && !isWordChar(text.charCodeAt(i - 1))) {
      let end = i + 1
      while (end < text.length && isWordChar(text.charCodeAt(end))) end++
      if (lastKey !== 'resourceType') push(i, end)
      i = end
      continue
    }
    i++
  }
}

/** Index of the closing quote of the string opening at `start`, or the text's end when unclosed. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === '"') return i
  }
  return text.length
}

function skipSpaces(text: string, from: number): number {
  let i = from
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++
  return i
}

const isValueStart = (c: string) => (c >= '0' && c <= '9') || c === '-' || c === 't' || c === 'f'

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 43 || c === 45 || c === 95
}
