import { describe, expect, it } from 'vitest'
import { parseEventId, toUuid } from './event-id'

const EVENT_ID = '9ec79c33ec9942ab8353589fcb2e04dc'

describe('parseEventId', () => {
  it('takes the plain and the dashed form, any case, to 32 lowercase hex digits', () => {
    expect(parseEventId('9EC79C33-EC99-42AB-8353-589FCB2E04DC')).toBe(EVENT_ID)
    expect(parseEventId(EVENT_ID)).toBe(EVENT_ID)
    expect(toUuid(parseEventId(EVENT_ID)!)).toBe('9ec79c33-ec99-42ab-8353-589fcb2e04dc')
  })

  it('refuses everything else, including 36 dashes and 36 hex digits', () => {
    for (const bad of ['9ec79c33ec9942ab8353589fcb2e04d', '-'.repeat(36), 'a'.repeat(36), '9ec79c33ec99-42ab-8353-589fcb2e04dc', '', 42, null, undefined]) {
      expect(parseEventId(bad)).toBeUndefined()
    }
  })
})
