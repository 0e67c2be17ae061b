import { describe, expect, it } from 'vitest'
import { costGrowth, superLinearGrowth } from '@faultline/core/testing'
import { normalizeMessageForGrouping, parameterize } from '.'

describe('parameterize', () => {
  it.each([
    ['mail dana.o+test@example.co.uk failed', 'mail <email> failed'],
    ['GET https://api.example.com/v1/users/42?x=1 returned 503', 'GET <url> returned <int>'],
    ['connect wss://10.0.0.1:443/socket', 'connect <url>'],
    ['could not resolve db-7.internal.example.com', 'could not resolve <hostname>'],
    ['from 10.0.0.12 via 2001:db8::ff00:42:8329 and ::1', 'from <ip> via <ip> and <ip>'],
    ['SomeClass::someMethod() failed', 'SomeClass::someMethod() failed'],
    ['id 550e8400-e29b-41d4-a716-446655440000 gone', 'id <uuid> gone'],
    ['commit 356a192b7913b04c54574d18c28d46e6395428ab', 'commit <sha1>'],
    ['etag d41d8cd98f00b204e9800998ecf8427e', 'etag <md5>'],
    ['at 2024-05-01T12:30:45.123Z', 'at <date>'],
    ['at 2024-05-01 12:30:45+02:00', 'at <date>'],
    ['on 2024-05-01 at 12:30 or 3:45 PM', 'on <date> at <date> or <date>'],
    ['Thu Jan 02 2025 10:00:00 GMT+0000 (Coordinated Universal Time)', '<date>'],
    ['took 250ms then 1.5s', 'took <duration> then <duration>'],
    ['pointer 0xDEADBEEF', 'pointer <hex>'],
    ['token a3f9c2d1e4b5', 'token <hex>'],
    ['ratio 0.75 and -3.5', 'ratio <float> and <float>'],
    ['retry 3 of 5, offset -42', 'retry <int> of <int>, offset <int>'],
    ['order o-1002 failed', 'order o-<int> failed'],
    ["Cannot read properties of undefined (reading 'reduce')", "Cannot read properties of undefined (reading 'reduce')"],
  ])('%s', (input, expected) => {
    expect(parameterize(input)).toBe(expected)
  })

  it('makes messages that differ only in ids, numbers and addresses equal', () => {
    const a = parameterize('user 88 (ann@example.com) timed out after 3012ms on 10.1.2.3 request 1f0e…')
    const b = parameterize('user 4 (bob@example.org) timed out after 17ms on 192.168.0.9 request 1f0e…')
    expect(a).toBe(b)
  })

  // Each unit repeated: runs that a greedy-then-backtrack pattern scans again from every start; the
  // tails make a match fail only at the end. One test a unit, since each growth check takes some
  // 50 ms of CPU a round (its timings last at least 5 ms).
  const units = ['a', 'a.', '1-', ':', '1:', 'a@', 'a-', '1.', '0x', '-1', 'Jan ', 'Mon  ', 'fe80:', '::', 'a1b2', 'aaaa.bbbb.', '\t']
  it.each(units)('costs time linear in the text on %j repeated, inputs that make backtracking regexes crawl', (unit) => {
    for (const tail of ['', '@', '!']) {
      const work = (n: number) => {
        const text = unit.repeat(n) + tail
        return () => parameterize(text)
      }
      const n = Math.ceil(1000 / unit.length)
      const growth = costGrowth(work(n), work(8 * n), 3)
      expect(growth.ratio, `${JSON.stringify(unit + tail)}: ${JSON.stringify(growth)}`).toBeLessThan(superLinearGrowth)
    }
  })

  it('reads a host name to its last label', () => {
    expect(parameterize('open through proxy.cse.cuhk.edu.hk:5070 HTTPS')).toBe('open through <hostname>:<int> HTTPS')
    expect(parameterize('see www.example.com. Then')).toBe('see <hostname>. Then')
    expect(parameterize('call java.lang.String.valueOf')).toBe('call java.lang.String.valueOf')
  })
})

describe('normalizeMessageForGrouping', () => {
  it('keeps the first two non-empty lines, marks the cut, and parameterizes', () => {
    expect(normalizeMessageForGrouping('failed 12 times\n\nat line 3\nmore')).toBe('failed <int> times\nat line <int>...')
    expect(normalizeMessageForGrouping('single 7')).toBe('single <int>')
  })
})
