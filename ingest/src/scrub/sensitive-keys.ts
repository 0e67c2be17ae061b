/**
 * Key-name rules: which object keys hold secrets or PII whatever their value looks like.
 *
 * A key is compared in two forms: compact (lower case, separators removed: `X-Api-Key` →
 * `xapikey`), searched for the substrings below, and split into words (`sessionId` → `session`,
 * `id`), compared whole for short names that would match too much as substrings (`ssn` is inside
 * `classname`, `auth` inside `author`, `pin` inside `spinner`).
 */

export const DEFAULT_SENSITIVE_SUBSTRINGS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'credential',
  'privatekey',
  'accesskey',
  'mysqlpwd',
  'cookie',
  'csrf',
  'xsrf',
  'sessid',
  'sessionid',
  'sessionkey',
  'authorization',
  'creditcard',
  'cardnumber',
  'ccnumber',
  'socialsecurity',
] as const

export const DEFAULT_SENSITIVE_WORDS = ['auth', 'pwd', 'pass', 'session', 'ssn', 'cvv', 'cvv2', 'cvc', 'jwt', 'bearer', 'otp', 'pin'] as const

/** Filtered even when listed in `safeKeys`: credentials a browser or proxy attaches to every request. */
export const ALWAYS_FILTERED_KEYS = ['cookie', 'cookies', 'set-cookie', 'authorization', 'proxy-authorization'] as const

/** Removed (not masked) when `scrubIpAddresses` is on. */
export const IP_ADDRESS_KEYS = ['ip_address', 'remote_addr', 'x-forwarded-for', 'x-real-ip', 'cf-connecting-ip', 'true-client-ip', 'forwarded'] as const

export const KeyVerdicts = {
  /** No rule applies: scrub the value by its content. */
  none: 'none',
  /** A secret or PII key: mask the value. */
  sensitive: 'sensitive',
  /** Sensitive only because of `token`: numbers (e.g. `gen_ai.usage.input_tokens`) are counts, not secrets. */
  tokenCount: 'token-count',
  /** Listed in `safeKeys`: leave the whole value untouched. */
  safe: 'safe',
  /** An IP address key while `scrubIpAddresses` is on: remove it. */
  remove: 'remove',
} as const
export type KeyVerdict = (typeof KeyVerdicts)[keyof typeof KeyVerdicts]

export interface KeyRuleOptions {
  extraSensitiveKeys?: readonly string[]
  safeKeys?: readonly string[]
  scrubIpAddresses?: boolean
}

const CACHE_LIMIT = 10_000

/** Builds the key classifier; verdicts are cached, as events repeat the same few hundred key names. */
export function createKeyClassifier(options: KeyRuleOptions = {}): (key: string) => KeyVerdict {
  const substrings = [...DEFAULT_SENSITIVE_SUBSTRINGS, ...(options.extraSensitiveKeys ?? []).map(compact).filter((key) => key !== '')]
  const words = new Set<string>(DEFAULT_SENSITIVE_WORDS)
  const safe = new Set((options.safeKeys ?? []).map((key) => key.toLowerCase()))
  const always = new Set<string>(ALWAYS_FILTERED_KEYS)
  const ipKeys = new Set<string>(options.scrubIpAddresses ? IP_ADDRESS_KEYS : [])
  const cache = new Map<string, KeyVerdict>()

  const classify = (key: string): KeyVerdict => {
    const lower = key.toLowerCase()
    if (always.has(lower)) return 'sensitive'
    if (ipKeys.has(lower)) return 'remove'
    if (safe.has(lower)) return 'safe'
    const compacted = compact(key)
    const matched = substrings.filter((substring) => compacted.includes(substring))
    if (matched.length > 0) return matched.every((substring) => substring === 'token') ? 'token-count' : 'sensitive'
    for (const word of splitWords(key)) if (words.has(word)) return 'sensitive'
    return 'none'
  }

  return (key) => {
    let verdict = cache.get(key)
    if (verdict === undefined) {
      verdict = classify(key)
      if (cache.size >= CACHE_LIMIT) cache.clear()
      cache.set(key, verdict)
    }
    return verdict
  }
}

function compact(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '')
}

/** `userSSN` → user, ssn; `X-Auth` → x, auth; `sessionId` → session, id. */
function splitWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '')
}
