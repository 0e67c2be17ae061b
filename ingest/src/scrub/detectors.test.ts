import { describe, expect, it } from 'vitest'
import { isCardNumber, luhn } from './detectors'
import { defaultPackOnly, F, scrubberWith, scrubText } from './scrub-testing'

const defaults = scrubberWith(defaultPackOnly)
const healthcare = scrubberWith()
const s = (text: string) => scrubText(defaults, text)
const h = (text: string) => scrubText(healthcare, text)

describe('default pack value rules', () => {
  it('masks card-shaped, Luhn-valid numbers of a card network', () => {
    expect(s('paid with 4111111111111111 today')).toBe(`paid with ${F} today`)
    expect(s('card 4111 1111 1111 1111.')).toBe(`card ${F}.`)
    expect(s('amex 3782-822463-10005, mc 5555555555554444')).toBe(`amex ${F}, mc ${F}`)
    expect(s('2223003122003222')).toBe(F)
  })

  it('leaves numeric ids that merely pass Luhn (issue 12, item 7)', () => {
    for (const text of [
      'card 4111111111111112 fails Luhn',
      'at 1700000000000 ms',
      'id 41111111111111110000000 too long',
      'hex a4111111111111111b',
      'order 4111-1111',
      'Receiving block blk_-5009020203888190378 src: /10.250.19.102:54106',
      'blk_4111111111111111 and id-4111111111111111',
      'REPORT : 7030 5019 150582 240',
      'mixed 4111-1111 1111 1111 separators',
      'visa length 41111111111111113',
    ]) {
      expect(s(text), text).toBe(text)
    }
    expect(isCardNumber('0000000000000000')).toBe(false)
    expect(luhn('79927398713')).toBe(true)
    expect(luhn('79927398710')).toBe(false)
  })

  it('masks US SSNs but not the never-issued ranges', () => {
    expect(s('ssn 123-45-6789 on file')).toBe(`ssn ${F} on file`)
    for (const invalid of ['000-12-3456', '666-12-3456', '900-12-3456', '999-12-3456', '123-00-4567', '123-45-0000']) {
      expect(s(`x ${invalid} y`), invalid).toBe(`x ${invalid} y`)
    }
    expect(s('phone 555-123-4567, date 2024-01-15')).toBe('phone 555-123-4567, date 2024-01-15')
  })

  it('masks emails in free text but not package specifiers', () => {
    expect(s('sent to jane.doe+tag@mail.example.co.uk, ok')).toBe(`sent to ${F}, ok`)
    expect(s('installed @sentry/node@10.5.0 and lodash@4.17.21')).toBe('installed @sentry/node@10.5.0 and lodash@4.17.21')
  })

  it('masks bearer tokens and basic credentials, keeping the scheme', () => {
    expect(s('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.sig_123')).toBe(`Authorization: Bearer ${F}`)
    expect(s('called with bearer abcdef0123456789abcdef in header')).toBe(`called with bearer ${F} in header`)
    expect(s('header was Basic dXNlcjpodW50ZXIy')).toBe(`header was Basic ${F}`)
    expect(s('basic authentication is unsupported')).toBe('basic authentication is unsupported')
    expect(s('Bearer tokens are described in RFC 6750')).toBe('Bearer tokens are described in RFC 6750')
  })

  it('masks PEM private keys, even cut ones, and leaves certificates', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----'
    expect(s(`key: ${pem} loaded`)).toBe(`key: ${F} loaded`)
    expect(s('x -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA')).toBe(`x ${F}`)
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'
    expect(s(cert)).toBe(cert)
  })

  it('masks AWS access key ids and URL userinfo passwords', () => {
    expect(s('using AKIAIOSFODNN7EXAMPLE for s3')).toBe(`using ${F} for s3`)
    expect(s('XAKIAIOSFODNN7EXAMPLE')).toBe('XAKIAIOSFODNN7EXAMPLE')
    expect(s('connect postgres://app:s3cr3t@db.internal:5432/main failed')).toBe(`connect postgres://app:${F}@db.internal:5432/main failed`)
    expect(s('https://example.com/a:b@c')).toBe('https://example.com/a:b@c')
  })

  it('masks key=value text whole, also with & ; , # inside the value (issue 12, item 7)', () => {
    expect(s('GET /login?user=bob&password=hunter2&next=%2F')).toBe(`GET /login?user=bob&password=${F}&next=%2F`)
    expect(s('password: Tr0ub4dor&3xyz')).toBe(`password: ${F}`)
    expect(s('pwd=ab#cd;ef')).toBe(`pwd=${F}`)
    expect(s('Set-Cookie: sid=abc; Path=/, theme=dark')).toBe(`Set-Cookie: ${F}; Path=/, theme=dark`)
    expect(s('{"username":"bob","password":"hunter 2 \\" x","api_key": "abc"}')).toBe(`{"username":"bob","password":"${F}","api_key": "${F}"}`)
    expect(s("config: secret='xyz' mode=prod")).toBe(`config: secret='${F}' mode=prod`)
    expect(s('Invalid token: abc123, retrying')).toBe(`Invalid token: ${F}, retrying`)
    expect(s('session_id=;path=/')).toBe('session_id=;path=/')
    expect(s('Error: TypeError at 12:30 in author=ann')).toBe('Error: TypeError at 12:30 in author=ann')
  })

  it('masks a secret written in prose after its label, and only one that looks like a secret', () => {
    expect(s('login with password Tr0ub4dor&3xyz failed')).toBe(`login with password ${F} failed`)
    expect(s('the password is hunter2.')).toBe(`the password is ${F}.`)
    expect(s('revoked token abc123def456')).toBe(`revoked token ${F}`)
    for (const text of ['password reset failed for user', 'token expired', 'secret manager unavailable', 'pwd /home/app']) expect(s(text), text).toBe(text)
  })

  it('keeps printf placeholders of a logentry template (issue 8, item 9)', () => {
    expect(s('login password=%s token=%(tok)s')).toBe('login password=%s token=%(tok)s')
  })
})

describe('healthcare pack value rules', () => {
  it('masks phone and fax numbers in common formats', () => {
    for (const phone of ['(555) 123-4567', '555-123-4567', '555.123.4567', '+1 555 123 4567', '1-800-555-0199', '+44 20 7946 0958', '+4930123456']) {
      expect(h(`call ${phone} now`), phone).toBe(`call ${F} now`)
    }
    for (const text of ['took 250 500 1000 ms', 'date 2024-01-15', 'ext 555-1234', 'version 1.2.3', 'ts 1700000000']) expect(h(text), text).toBe(text)
  })

  it('masks dates of birth near birth words, not other dates', () => {
    expect(h('patient born on 1980-03-05 admitted')).toBe(`patient born on ${F} admitted`)
    expect(h('DOB: 03/05/1980')).toBe(`DOB: ${F}`)
    expect(h('date of birth is March 5, 1980')).toBe(`date of birth is ${F}`)
    expect(h('deployed on 2024-03-05 at noon')).toBe('deployed on 2024-03-05 at noon')
  })

  it('masks labelled record, member and account numbers', () => {
    expect(h('MRN: 12345678 not found')).toBe(`MRN: ${F} not found`)
    expect(h('lookup failed for MRN 12345678')).toBe(`lookup failed for MRN ${F}`)
    expect(h('Member ID W123456789 inactive')).toBe(`Member ID ${F} inactive`)
    expect(h('acct #00123456 overdrawn')).toBe(`acct #${F} overdrawn`)
  })

  it('masks street addresses and ZIP codes by pattern', () => {
    expect(h('ship to 123 Main St, Boston, MA 02115 today')).toBe(`ship to ${F}, Boston, MA ${F} today`)
    expect(h('at 4567 North Oak Avenue Apt 5')).toBe(`at ${F}`)
    expect(h('zip 02115-1234 ok')).toBe(`zip ${F} ok`)
    expect(h('retrying 3 Items In Cart after 5000 ms')).toBe('retrying 3 Items In Cart after 5000 ms')
  })

  it('masks IPv4 and IPv6 addresses, not versions, loopback or C++ scopes', () => {
    expect(h('from 203.0.113.9:443 and 2001:db8::ff00:42:8329')).toBe(`from ${F}:443 and ${F}`)
    for (const text of ['bound to 127.0.0.1', 'Chrome/120.0.0.0 Safari', 'v1.2.3.4 released', 'std::vector<int>', 'at 12:30:45']) expect(h(text), text).toBe(text)
  })

  it('masks identifiers in URL paths and query values, keeping route words', () => {
    expect(h('GET https://portal.example.org/patients/12345678/records?visit=99881234&page=2')).toBe(`GET https://portal.example.org/patients/${F}/records?visit=${F}&page=2`)
    expect(h('https://api.example.com/v2/orders/pay')).toBe('https://api.example.com/v2/orders/pay')
  })

  it('masks person names in labelled text', () => {
    expect(h('Patient: Jane Doe admitted')).toBe(`Patient: ${F} admitted`)
    expect(h('Patient Mary-Jane O\'Brien missing chart')).toBe(`Patient ${F} missing chart`)
    expect(h('patient record not found')).toBe('patient record not found')
  })

  it('reduces HL7 v2 messages to segments and field separators', () => {
    const message = 'MSH|^~\\&|SEND|FAC|RCV|FAC|20240101||ADT^A01|123|P|2.5\rPID|1||12345^^^MRN||DOE^JANE||19800101|F\rPV1|1|I'
    expect(h(`parse failed: ${message}`)).toBe('parse failed: MSH|^~\\&|||||||ADT^A01|||2.5\rPID||||||||\rPV1||')
    expect(h('PID|1||12345||DOE^JANE\\nNK1|1|DOE^JOHN')).toBe('PID|||||\\nNK1||')
    expect(h('GET|POST|PUT are methods')).toBe('GET|POST|PUT are methods')
  })

  it('reduces FHIR JSON text to its structure', () => {
    const text = 'invalid resource {"resourceType":"Patient","id":"p1","birthDate":"1980-03-05","name":[{"family":"Doe","given":["Jane"]}],"active":true}'
    expect(h(text)).toBe(`invalid resource {"resourceType":"Patient","id":"${F}","birthDate":"${F}","name":[{"family":"${F}","given":["${F}"]}],"active":${F}}`)
  })

  it('reduces FHIR objects to their structure', () => {
    const { event } = healthcare.scrubEvent({ request: { data: { resourceType: 'Observation', status: 'final', valueQuantity: { value: 98.6, unit: 'degF' }, subject: { reference: 'Patient/123' } } } })
    expect(event.request).toEqual({ data: { resourceType: 'Observation', status: F, valueQuantity: { value: F, unit: F }, subject: { reference: F } } })
  })

  it('keeps what native stacks carry: addresses of instructions and images, signal names, thread names', () => {
    const frame = { instruction_addr: '0x0000000800010f20', image_addr: '0x0000000800000000', symbol_addr: '0x10', package: '/app0/eboot.bin' }
    const mechanism = { type: 'signalhandler', meta: { signal: { number: 11, name: 'SIGSEGV' } } }
    const { event } = healthcare.scrubEvent({ exception: { values: [{ type: 'SIGSEGV', mechanism, stacktrace: { frames: [frame] } }] } })
    expect(event.exception).toEqual({ values: [{ type: 'SIGSEGV', mechanism, stacktrace: { frames: [frame] } }] })
  })

  it('masks names, dates, contacts, addresses and identifiers by key, but not technical names', () => {
    const { event } = healthcare.scrubEvent({
      contexts: { os: { name: 'Linux' }, runtime: { name: 'node' }, patient: { first_name: 'Jane' } },
      extra: { name: 'Jane Doe', patientLastName: 'Doe', dob: '1980-03-05', phone: 5551234567, street: '1 Elm', city: 'Springfield', member_id: 'W1', vin: '1HGCM82633A004352' },
    })
    expect(event.contexts).toEqual({ os: { name: 'Linux' }, runtime: { name: 'node' }, patient: F })
    expect(event.extra).toEqual({ name: F, patientLastName: F, dob: F, phone: F, street: F, city: F, member_id: F, vin: F })
  })
})
