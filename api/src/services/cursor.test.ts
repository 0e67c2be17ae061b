import { describe, expect, it } from 'vitest'
import { cursors, encodeCursor } from './cursor'

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const eventId = '9ec79c33-ec99-42ab-8353-589fcb2e04dc'

describe('cursors', () => {
  it('decode the positions their lists hand out', () => {
    expect(cursors.events.parse(encodeCursor({ value: 1_767_225_600_000, id: eventId }))).toEqual({ value: 1_767_225_600_000, id: eventId })
    expect(cursors.issues.parse(encodeCursor({ value: 42, id: '17' }))).toEqual({ value: 42, id: '17' })
    expect(cursors.patterns.parse(encodeCursor({ value: 0, id: '0123456789abcdef' }))).toEqual({ value: 0, id: '0123456789abcdef' })
  })

  it('refuse positions of the wrong type, range or id shape with the same reason', () => {
    const crafted = [b64(['abc', eventId]), b64([1.5, eventId]), b64([1e300, eventId]), b64([-1, eventId]), b64([1, 'x']), b64([1]), 'not base64 json', 'x'.repeat(501)]
    for (const cursor of crafted) {
      const result = cursors.events.safeParse(cursor)
      expect(result.success, cursor).toBe(false)
    }
    expect(cursors.events.safeParse(b64([1, 'x'])).error?.issues[0]?.message).toMatch(/invalid cursor/)
    expect(cursors.issues.safeParse(b64([1, eventId])).success).toBe(false)
    expect(cursors.patterns.safeParse(b64([2 ** 63, '0123456789abcdef'])).success).toBe(false)
  })
})
