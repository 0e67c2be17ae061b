/**
 * Custom value patterns come from project settings, so they are untrusted: a pattern like
 * `(a+)+$` would let one event freeze ingest. They are compiled with V8's linear-time engine
 * (the `l` flag), which refuses any pattern it cannot run in time linear in the input
 * (backreferences, lookarounds, large counted repetitions, case folding) instead of
 * backtracking. The engine sits behind a V8 flag that is only read when a pattern is compiled.
 */
import { setFlagsFromString } from 'node:v8'

let enabled = false
/** `l`: the linear engine. Held in constants, as linters do not know the flag. */
const LINEAR = 'l'
const LINEAR_GLOBAL = 'gl'

function enableLinearEngine(): void {
  if (enabled) return
  setFlagsFromString('--enable-experimental-regexp-engine')
  enabled = true
}

export type LinearPatternResult = { ok: true; regex: RegExp } | { ok: false; reason: string }

/** Compiles `source` as a global, linear-time regex; refuses patterns that could match the empty string. */
export function compileLinearPattern(source: string): LinearPatternResult {
  enableLinearEngine()
  let regex: RegExp
  try {
    regex = new RegExp(source, LINEAR_GLOBAL)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { ok: false, reason: message.includes('linear time') ? `pattern cannot run in linear time (no backreferences, lookarounds, case-insensitive flag or repetition counts above a few hundred): ${source}` : message }
  }
  // A pattern matching '' would match between every two characters.
  if (new RegExp(source, LINEAR).test('')) return { ok: false, reason: `pattern matches the empty string: ${source}` }
  return { ok: true, regex }
}
