/**
 * What a rule does to what it matched, compiled once per rule: to a whole value under a matching
 * key, or to the matched part of a string. Values that hide nothing (`null`, `''`, booleans) stay.
 */
import { FILTERED, isKeyedHash, keyedHash, type RuleAction } from '@faultline/core/privacy'

/** Returned by `value()` when the key is to be dropped. */
export const REMOVE: unique symbol = Symbol('remove')

export interface CompiledAction {
  readonly ruleId: string
  /** Replacement for a matched part of a string. */
  text(matched: string): string
  /** Replacement for a whole value under a matching key; `REMOVE` drops the key. */
  value(value: unknown): unknown
}

/** Keyed hashing with a bounded memo: the same user, address or id arrives in event after event. */
export type Hasher = (kind: string, value: string) => string

export function createHasher(hashKey: string, limit = 10_000): Hasher {
  const memo = new Map<string, string>()
  return (kind, value) => {
    const key = `${kind}\u0000${value}`
    let hashed = memo.get(key)
    if (hashed === undefined) {
      hashed = keyedHash(hashKey, kind, value)
      if (memo.size >= limit) memo.clear()
      memo.set(key, hashed)
    }
    return hashed
  }
}

export function compileAction(ruleId: string, action: RuleAction, hash: Hasher): CompiledAction {
  switch (action.type) {
    case 'replace':
      return wholeValues(ruleId, () => action.with)
    case 'mask':
      return wholeValues(ruleId, (text) => mask(text, action.keepPrefix, action.keepSuffix))
    case 'hash':
      return wholeValues(ruleId, (text) => (isKeyedHash(ruleId, text) ? text : hash(ruleId, text)))
    case 'remove':
      return { ruleId, text: () => '', value: (value) => (hidesNothing(value) ? value : REMOVE) }
  }
}

/** Scalars are transformed as text; objects and arrays under a matching key become `[Filtered]` whole. */
function wholeValues(ruleId: string, transform: (text: string) => string): CompiledAction {
  return {
    ruleId,
    text: transform,
    value(value) {
      if (hidesNothing(value)) return value
      if (typeof value === 'string') return transform(value)
      if (typeof value === 'number' || typeof value === 'bigint') return transform(String(value))
      return FILTERED
    },
  }
}

function hidesNothing(value: unknown): boolean {
  return value === null || value === undefined || value === '' || typeof value === 'boolean'
}

function mask(text: string, keepPrefix: number, keepSuffix: number): string {
  const chars = [...text]
  // Nothing is kept of a value too short to hide anything once its ends are shown.
  if (chars.length <= (keepPrefix + keepSuffix) * 2) return '*'.repeat(chars.length)
  return chars.slice(0, keepPrefix).join('') + '*'.repeat(chars.length - keepPrefix - keepSuffix) + chars.slice(chars.length - keepSuffix).join('')
}

