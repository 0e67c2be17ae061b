/** Scrubbers for tests: settings as the API would store them, and a fixed hashing secret. */
import { keyedHash, privacySettingsSchema, type PrivacySettingsInput } from '@faultline/core/privacy'
import { scrubberFromSettings, type Scrubber } from './scrubber'

export const TEST_HASH_KEY = 'test-hash-key'
export const F = '[Filtered]'

export function scrubberWith(settings: PrivacySettingsInput = {}): Scrubber {
  return scrubberFromSettings(privacySettingsSchema.parse(settings), TEST_HASH_KEY)
}

/** The `default` pack alone, as a project that turned the healthcare pack off. */
export const defaultPackOnly: PrivacySettingsInput = { packs: { default: true, healthcare: false } }

export const hashed = (kind: string, value: string) => keyedHash(TEST_HASH_KEY, kind, value)

/** Scrubs one string under a neutral key and returns it. */
export function scrubText(scrubber: Scrubber, text: string): string {
  return (scrubber.scrubEvent({ extra: { text } }).event.extra as { text: string }).text
}
