export { createScrubber, MAX_SCRUB_DEPTH, type ScrubEvent, type ScrubOptions, type ScrubResult } from './scrubber'
export { FILTERED, isCardNumber, luhn } from './value-patterns'
export {
  ALWAYS_FILTERED_KEYS,
  DEFAULT_SENSITIVE_SUBSTRINGS,
  DEFAULT_SENSITIVE_WORDS,
  IP_ADDRESS_KEYS,
} from './sensitive-keys'
