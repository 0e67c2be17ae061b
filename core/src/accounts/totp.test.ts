import { describe, expect, it } from 'vitest'
import { base32Decode, base32Encode, hotp, matchStep, newTotpSecret, otpauthUri, totpStep } from './totp'

// RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const seed = Buffer.from('12345678901234567890')
const vectors: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
]

describe('TOTP', () => {
  it('matches the RFC 6238 test vectors', () => {
    for (const [seconds, code] of vectors) expect(hotp(seed, totpStep(seconds * 1000), 8)).toBe(code)
  })

  it('matches the RFC 4226 HOTP vectors', () => {
    expect([0, 1, 2, 9].map((c) => hotp(seed, c))).toEqual(['755224', '287082', '359152', '520489'])
  })

  it('round-trips base32 and accepts the neighbouring steps only', () => {
    const secret = newTotpSecret()
    expect(base32Encode(base32Decode(secret))).toBe(secret)
    const now = 1_700_000_000_000
    const step = totpStep(now)
    const code = (s: number) => hotp(base32Decode(secret), s)
    expect(matchStep(secret, code(step), now)).toBe(step)
    expect(matchStep(secret, code(step - 1), now)).toBe(step - 1)
    expect(matchStep(secret, code(step + 1), now)).toBe(step + 1)
    expect(matchStep(secret, code(step - 2), now)).toBeNull()
    expect(matchStep(secret, '12345', now)).toBeNull()
    expect(otpauthUri(secret, 'a@b.test')).toMatch(/^otpauth:\/\/totp\/Faultline%3Aa%40b\.test\?secret=[A-Z2-7]+&issuer=Faultline/)
  })
})
