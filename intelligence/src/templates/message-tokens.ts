/**
 * A message as the miner reads it (cut, masked, tokenized, with each token's original text) and
 * the values a template's variables take in it. The miner and the API's "which template does
 * this event belong to" share these, so both read a message the same way.
 */
import { parameterize } from '../parameterize'
import { maxTokens, placeholderValues, tokenize, wildcard, type Tokenized } from './tokenize'

export interface ReadOptions {
  mask: (text: string) => string
  /** Longer messages are cut first, so one huge payload cannot stall the reader. */
  maxMessageLength: number
  /** Recover the original text of each token (costs one walk over the text). */
  originals: boolean
}

export const defaultReadOptions: ReadOptions = { mask: parameterize, maxMessageLength: 4096, originals: true }

/**
 * `text` up to the end of its `count`-th whitespace-separated word: the miner keeps at most
 * `maxTokens` tokens, so masking and splitting the rest of a long message would be work for
 * nothing. Twice the tokens in words: runs of values collapse into one token, and a long message
 * must still reach the cap (and end in its wildcard) to share the capped token count.
 */
function firstWords(text: string, count: number): string {
  let words = 0
  let inWord = false
  for (let i = 0; i < text.length; i++) {
    const space = text.charCodeAt(i) <= 32
    if (!space && !inWord && ++words > count) return text.slice(0, i)
    inWord = !space
  }
  return text
}

export function readMessage(message: string, options: ReadOptions = defaultReadOptions): Tokenized {
  const cut = message.length > options.maxMessageLength ? message.slice(0, options.maxMessageLength) : message
  const text = firstWords(cut, 2 * maxTokens)
  const masked = options.mask(text)
  return tokenize(masked, options.originals ? placeholderValues(text, masked) : undefined)
}

/** The value of each variable token of `template`, from the originals of a message's tokens. */
export function variablesOf(template: readonly string[], originals: readonly string[]): string[] {
  const values: string[] = []
  template.forEach((token, i) => {
    const at = token.indexOf(wildcard)
    if (at < 0) return
    const original = originals[i] ?? ''
    const prefix = token.slice(0, at)
    const suffix = token.slice(at + wildcard.length)
    const start = original.startsWith(prefix) ? prefix.length : 0
    const end = original.endsWith(suffix) && original.length - suffix.length >= start ? original.length - suffix.length : original.length
    values.push(original.slice(start, end))
  })
  return values
}

/** The values `message` gives a template's variables; undefined when its token count differs. */
export function templateVariables(template: readonly string[], message: string, options: ReadOptions = defaultReadOptions): string[] | undefined {
  const { tokens, originals } = readMessage(message, options)
  return tokens.length === template.length ? variablesOf(template, originals) : undefined
}
