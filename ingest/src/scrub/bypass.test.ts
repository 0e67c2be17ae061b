/**
 * Attempts to get an identifier past the rules: nesting, key case, identifiers as keys, split
 * across params, base64- and percent-encoded, in non-ASCII spellings, and strings or keys sized
 * to make a regex backtrack. Cost is compared between n and 8n in the same run: linear work
 * grows about 8× (up to ~20× once 1 MiB strings spill out of the CPU caches), quadratic work
 * 64×; the bar is 32×.
 */
import { describe, expect, it } from 'vitest'
import { costGrowth } from '@faultline/core/testing'
import { defaultPackOnly, F, hashed, scrubberWith, scrubText } from './scrub-testing'

const healthcare = scrubberWith()
const defaults = scrubberWith(defaultPackOnly)
const h = (text: string) => scrubText(healthcare, text)
const b64 = (text: string, encoding: 'base64' | 'base64url' = 'base64') => Buffer.from(text).toString(encoding)

describe('nesting, case and keys', () => {
  it('masks a sensitive key whole, however deep its value goes', () => {
    const { event } = defaults.scrubEvent({ extra: { ssn: { area: '123', group: '45', serial: '6789' }, a: [{ b: { PaSsWoRd: [['x', { y: 'z' }]] } }] } })
    expect(event.extra).toEqual({ ssn: F, a: [{ b: { PaSsWoRd: F } }] })
  })

  it('matches keys in any case and spelling', () => {
    const { event } = defaults.scrubEvent({ extra: { 'X-API-KEY': 'a', USER_SSN: 'b', 'user[Password]': 'c', sessionToken: 'd' } })
    expect(Object.values(event.extra as object)).toEqual([F, F, F, F])
  })

  it('scrubs identifiers written as keys, keeping colliding keys apart', () => {
    const { event } = healthcare.scrubEvent({ extra: { 'jane@example.com': 1, '123-45-6789': 'ssn', '4111111111111111': true, ok: 2 } })
    expect(event.extra).toEqual({ [F]: 1, [`${F} (2)`]: 'ssn', [`${F} (3)`]: true, ok: 2 })
  })
})

describe('values joined when shown (issue 8, item 9)', () => {
  it('scrubs logentry params with their placeholder and the formatted message consistently', () => {
    const { event } = defaults.scrubEvent({ logentry: { message: 'login password=%s token=%s card=%s', params: ['Kv-Pass-SPECIAL1', 'tok_live_9f8e7d', '4111111111111111'] } })
    expect(event.logentry).toEqual({ message: 'login password=%s token=%s card=%s', formatted: `login password=${F} token=${F} card=${F}`, params: [F, F, F] })
  })

  it('drops params that only the joined text shows to be an identifier', () => {
    const { event } = defaults.scrubEvent({ logentry: { message: 'ssn %s-%s-%s', params: ['123', '45', '6789'] } })
    expect(event.logentry).toEqual({ message: 'ssn %s-%s-%s', formatted: `ssn ${F}` })
  })

  it('scrubs named params and a legacy message object the same way', () => {
    const { event } = defaults.scrubEvent({ message: { message: 'auth %(secret)s for %(user)s', params: { secret: 'abc123xyz', user: 'bob' } } })
    expect(event.message).toEqual({ message: 'auth %(secret)s for %(user)s', formatted: `auth ${F} for bob`, params: { secret: F, user: 'bob' } })
  })

  it('treats the legacy interface names of the user and the message as their current ones', () => {
    const { event } = defaults.scrubEvent({
      'sentry.interfaces.User': { email: 'jane@example.com' },
      'sentry.interfaces.Message': { message: 'login password=%s', params: ['hunter2'] },
    })
    expect(event).toEqual({
      'sentry.interfaces.User': { email: hashed('email', 'jane@example.com') },
      'sentry.interfaces.Message': { message: 'login password=%s', formatted: `login password=${F}`, params: [F] },
    })
  })

  it('keeps the formatted text the SDK sent, scrubbed', () => {
    const { event } = defaults.scrubEvent({ logentry: { formatted: 'user jane@example.com failed' } })
    expect(event.logentry).toEqual({ formatted: `user ${F} failed` })
  })
})

describe('encodings (issue 8, item 10)', () => {
  it('decodes percent-encoding before matching', () => {
    expect(h('https://x.example.com/cb?q=password%3Dhunter2')).toBe(`https://x.example.com/cb?q=password=${F}`)
    expect(h('auth=Bearer%20abcdef0123456789abcdef')).toBe(`auth=${F}`)
    expect(h('next=postgres%3A%2F%2Fadmin%3Apw%40db.internal%2Fmain')).toBe(`next=postgres://admin:${F}@db.internal/main`)
    expect(h('q=password%253Dhunter2')).toBe(`q=password=${F}`)
    expect(h('ssn%3A+123-45-6789')).toBe(`ssn%3A+${F}`)
  })

  it('decodes base64 runs and replaces those hiding an identifier', () => {
    expect(h(`blob ${b64('patient ssn 123-45-6789 on file')} end`)).toBe(`blob ${F} end`)
    const jwt = `${b64('{"alg":"HS256"}', 'base64url')}.${b64('{"sub":"1","email":"jane@example.com"}', 'base64url')}.c2ln`
    expect(h(`token was ${jwt}`)).toBe(`token was ${F}`)
    expect(h(`nested ${b64(`inner ${b64('card 4111 1111 1111 1111 used')}`)}`)).toBe(`nested ${F}`)
    const harmless = `trace ${b64('nothing personal in here at all')} and 9f86d081884c7d659a2feaa0c55ad015`
    expect(h(harmless)).toBe(harmless)
  })

  it('folds non-ASCII digits, dashes, spaces and invisible characters', () => {
    expect(h('ssn １２３-４５-６７８９')).toBe(`ssn ${F}`)
    expect(h('card ٤١١١١١١١١١١١١١١١')).toBe(`card ${F}`)
    expect(h('mail jane\u200b@example.com')).toBe(`mail ${F}`)
    expect(h('call 555–123–4567')).toBe(`call ${F}`)
    expect(h('Пароль: password=hunter2 ✓')).toBe(`Пароль: password=${F} ✓`)
    expect(h('Müller hat 3 Artikel')).toBe('Müller hat 3 Artikel')
  })
})

/**
 * How much longer an 8× longer input takes: about 8 when linear, about 64 when quadratic. In CPU
 * time (core/src/testing costGrowth), which other processes on a shared machine do not stretch.
 */
function growth(make: (n: number) => string, scrub: (text: string) => void, n: number): number {
  const small = make(n)
  const large = make(8 * n)
  return costGrowth(() => scrub(small), () => scrub(large), 3).ratio
}

const LINEAR_BAR = 32

const repeat = (unit: string) => (n: number) => unit.repeat(Math.ceil(n / unit.length))

const hostile: Record<string, (n: number) => string> = {
  letters: repeat('a'),
  upperCase: repeat('A'),
  digits: repeat('4'),
  spacedDigits: repeat('4 '),
  dashedDigits: repeat('123-45-'),
  phoneish: repeat('555-123-'),
  dottedOctets: repeat('10.0.'),
  colons: repeat('fe80:'),
  emailAts: repeat('a@'),
  emailDots: (n) => `a@${'b.'.repeat(n / 2)}`,
  pairs: repeat('a=b&'),
  sensitivePairs: repeat('password='),
  unclosedQuotes: repeat('"password":"'),
  escapes: (n) => `"password":"${'\\'.repeat(n)}`,
  ampersands: repeat('password=x&'),
  labels: repeat('password '),
  mrnLabels: repeat('MRN '),
  names: repeat('Patient Jane '),
  schemes: repeat('a://'),
  urlSegments: (n) => `https://h/${'1234/'.repeat(n / 5)}`,
  urlParams: (n) => `https://h/?${'a&'.repeat(n / 2)}`,
  userinfo: (n) => `s://${'u:'.repeat(n / 2)}`,
  bearer: (n) => `Bearer ${'a1'.repeat(n / 2)}`,
  base64: repeat('QUJD'),
  base64Text: (n) => b64('ssn 123-45-6789 '.repeat(n / 21)),
  percent: repeat('%41'),
  pem: repeat('-----BEGIN RSA PRIVATE KEY-----'),
  pemBegins: repeat('-----BEGIN '),
  aws: repeat('AKIA'),
  street: repeat('1 Main Main Main '),
  births: repeat('born '),
  hl7Lines: repeat('PID|1|2\r'),
  hl7Unknown: repeat('ABC|'),
  fhir: (n) => `{"resourceType":"Patient",${'"a":"'.repeat(n / 5)}`,
  fullWidth: repeat('１２３-'),
  mixed: repeat('x@y.z 4111-1111 a=b:c "d":"e" https://u:p@h 10.1.2.3 MRN 1 '),
}

describe('hostile strings stay linear (issue 8, item 1)', () => {
  it.each(Object.keys(hostile))('%s: 1 MiB costs about 8 times 128 KiB', (name) => {
    const ratio = growth(hostile[name]!, h, 128 * 1024)
    expect(ratio, `${name} grew ${ratio.toFixed(1)}×`).toBeLessThan(LINEAR_BAR)
  })

  it('a long key costs what a short one does and is stored as data, not a name', () => {
    const scrubKey = (key: string) => healthcare.scrubEvent({ extra: { [key]: 1 } })
    const ratio = growth(repeat('A'), scrubKey, 20_000)
    expect(ratio, `grew ${ratio.toFixed(1)}×`).toBeLessThan(LINEAR_BAR)
    expect(scrubKey('A'.repeat(150_000)).event.extra).toEqual({ [F]: F })
    expect(scrubKey('AbC'.repeat(80)).event.extra).toEqual({ ['AbC'.repeat(80)]: 1 })
  })
})
