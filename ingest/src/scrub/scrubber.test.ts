import { describe, expect, it } from 'vitest'
import { MAX_SCRUB_DEPTH } from './scrubber'
import { defaultPackOnly, F, hashed, scrubberWith, scrubText } from './scrub-testing'

/** An error event shaped as @sentry/node v10 sends it from an Express handler, with PII planted throughout. */
function nodeEvent() {
  return {
    event_id: '9ec79c33ec9942ab8353589fcb2e04dc',
    timestamp: 1_700_000_000.123,
    platform: 'node',
    level: 'error',
    server_name: 'web-1',
    release: 'shop@1.4.2',
    environment: 'production',
    message: 'Payment failed for jane.doe@example.com with card 4111 1111 1111 1111',
    exception: {
      values: [
        {
          type: 'PaymentError',
          value: 'declined: ssn 123-45-6789 mismatch, token=tok_live_abc123',
          mechanism: { type: 'onunhandledrejection', handled: false },
          stacktrace: {
            frames: [
              {
                filename: '/app/src/payments/charge.js',
                function: 'chargeCard',
                lineno: 42,
                colno: 13,
                in_app: true,
                context_line: '  const res = await stripe.charges.create({ amount, source: token })',
                pre_context: ['async function chargeCard(card, token) {'],
                post_context: ['  return res', '}'],
                vars: { card_number: '4242424242424242', cvv: 123, amount: 1999, customer: { email: 'jane.doe@example.com', name: 'Jane' }, apiKey: 'sk_live_123' },
              },
              { filename: '/app/src/routes/checkout.js', function: 'handleCheckout', lineno: 88, colno: 5, in_app: true, context_line: '    await chargeCard(req.body.card, req.body.token)' },
              { filename: 'node:internal/process/task_queues', function: 'process.processTicksAndRejections', lineno: 95, colno: 5, in_app: false },
            ],
          },
        },
      ],
    },
    breadcrumbs: [
      { timestamp: 1_699_999_999, category: 'http', type: 'http', data: { url: 'https://api.example.com/login?user=jane&password=hunter2', method: 'POST', status_code: 200 } },
      { timestamp: 1_699_999_999.5, category: 'console', level: 'log', message: 'connecting to postgres://app:s3cret@db:5432/shop' },
      { timestamp: 1_699_999_999.6, category: 'console', level: 'warn', message: 'cart 8812 has 3 items, total 19.99 EUR, retrying in 250 ms' },
      { timestamp: 1_699_999_999.8, category: 'query', message: 'SELECT id, status FROM orders WHERE customer_id = $1 AND created_at > $2 LIMIT 50' },
    ],
    request: {
      url: 'https://shop.example.com/checkout?session_id=abc&step=2',
      method: 'POST',
      query_string: 'session_id=abc&step=2',
      cookies: { sid: 's%3Aabc', theme: 'dark' },
      headers: {
        host: 'shop.example.com',
        'user-agent': 'Mozilla/5.0',
        cookie: 'sid=s%3Aabc; theme=dark',
        authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.sig',
        'x-api-key': 'k_123',
        'x-forwarded-for': '203.0.113.9, 10.0.0.2',
      },
      data: { email: 'jane.doe@example.com', password: 'hunter2', items: [{ sku: 'A1', qty: 1 }] },
      env: { REMOTE_ADDR: '203.0.113.9' },
    },
    user: { id: '42', username: 'jane', email: 'Jane.Doe@example.com', ip_address: '203.0.113.9', data: { ssn: '123-45-6789', plan: 'pro' } },
    contexts: {
      trace: { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', op: 'http.server' },
      runtime: { name: 'node', version: 'v20.20.2' },
      patient: { mrn: 'MRN-77', notes: 'call 555-123-4567; ssn 078-05-1120' },
    },
    tags: { transaction: 'POST /checkout', 'auth.method': 'password', region: 'eu' },
    extra: { stripeToken: 'tok_visa', attempt: 3, nested: [['secret', 'x'], ['ok', 'y']] },
    fingerprint: ['{{ default }}'],
    sdk: { name: 'sentry.javascript.node', version: '10.5.0', integrations: ['Http', 'Express'] },
    modules: { 'passport-token': '1.0.0', express: '4.19.2' },
  }
}

describe('the default pack on a real event', () => {
  const scrubber = scrubberWith(defaultPackOnly)
  const { event, scrubbedCount } = scrubber.scrubEvent(nodeEvent())
  const e = event as ReturnType<typeof nodeEvent>

  it('masks PII in messages and exception values, keeping the rest of the text', () => {
    expect(e.message).toBe(`Payment failed for ${F} with card ${F}`)
    expect(e.exception.values[0]?.value).toBe(`declined: ssn ${F} mismatch, token=${F}`)
    expect(e.exception.values[0]?.type).toBe('PaymentError')
  })

  it('masks frame vars by key and by value, and keeps the frame', () => {
    const frame = e.exception.values[0]?.stacktrace.frames[0]
    expect(frame?.vars).toEqual({ card_number: F, cvv: F, amount: 1999, customer: { email: F, name: 'Jane' }, apiKey: F })
    expect(frame).toMatchObject({ filename: '/app/src/payments/charge.js', function: 'chargeCard', lineno: 42, in_app: true })
    expect(frame?.context_line).toBe('  const res = await stripe.charges.create({ amount, source: token })')
  })

  it('masks breadcrumbs and keeps the harmless ones whole', () => {
    expect(e.breadcrumbs[0]?.data?.url).toBe(`https://api.example.com/login?user=jane&password=${F}`)
    expect(e.breadcrumbs[1]?.message).toBe(`connecting to postgres://app:${F}@db:5432/shop`)
    expect(e.breadcrumbs.slice(2).map((b) => b.message)).toEqual(nodeEvent().breadcrumbs.slice(2).map((b) => b.message))
  })

  it('always masks cookies and authorization, hashes client addresses, and masks secrets in the request', () => {
    expect(e.request.cookies).toBe(F)
    expect(e.request.headers).toEqual({
      host: 'shop.example.com',
      'user-agent': 'Mozilla/5.0',
      cookie: F,
      authorization: F,
      'x-api-key': F,
      'x-forwarded-for': `${hashed('ip', '203.0.113.9')}, ${hashed('ip', '10.0.0.2')}`,
    })
    expect(e.request.env).toEqual({ REMOTE_ADDR: hashed('ip', '203.0.113.9') })
    expect(e.request.url).toBe(`https://shop.example.com/checkout?session_id=${F}&step=2`)
    expect(e.request.data).toEqual({ email: F, password: F, items: [{ sku: 'A1', qty: 1 }] })
  })

  it('hashes user.email and ip_address with the project key, keeps id and username, scrubs user.data', () => {
    expect(e.user).toEqual({ id: '42', username: 'jane', email: hashed('email', 'jane.doe@example.com'), ip_address: hashed('ip', '203.0.113.9'), data: { ssn: F, plan: 'pro' } })
    expect(scrubber.scrubEvent({ user: { email: ' jane.doe@EXAMPLE.com ' } }).event.user).toEqual({ email: hashed('email', 'jane.doe@example.com') })
  })

  it('masks contexts, tags and extra including [key, value] pairs', () => {
    expect(e.contexts.patient).toEqual({ mrn: 'MRN-77', notes: `call 555-123-4567; ssn ${F}` })
    expect(e.contexts.trace).toEqual(nodeEvent().contexts.trace)
    expect(e.tags).toEqual({ transaction: 'POST /checkout', 'auth.method': F, region: 'eu' })
    expect(e.extra).toEqual({ stripeToken: F, attempt: 3, nested: [['secret', F], ['ok', 'y']] })
  })

  it('leaves SDK-written structural fields alone', () => {
    const original = nodeEvent()
    for (const key of ['event_id', 'timestamp', 'platform', 'level', 'sdk', 'modules', 'release', 'environment', 'fingerprint', 'server_name'] as const) {
      expect(e[key], key).toEqual(original[key])
    }
  })

  it('counts every replaced value and never mutates its input', () => {
    expect(scrubbedCount).toBe(27)
    const input = nodeEvent()
    const copy = structuredClone(input)
    scrubber.scrubEvent(input)
    expect(input).toEqual(copy)
  })

  it('is idempotent', () => {
    expect(scrubber.scrubEvent(event)).toEqual({ event, scrubbedCount: 0 })
  })
})

describe('IP address and email settings', () => {
  const event = { user: { id: 'a@b.co', email: 'a@b.co', ip_address: '{{auto}}' }, request: { headers: [['X-Real-IP', '198.51.100.7']] } }

  it('hashes by default, including the connection address that fills {{auto}}', () => {
    const result = scrubberWith().scrubEvent(event, { clientIp: '198.51.100.7' })
    expect(result.event.user).toEqual({ id: hashed('email', 'a@b.co'), email: hashed('email', 'a@b.co'), ip_address: '{{auto}}' })
    expect(result.event.request).toEqual({ headers: [['X-Real-IP', hashed('ip', '198.51.100.7')]] })
    expect(result.clientIp).toBe(hashed('ip', '198.51.100.7'))
  })

  it('truncates, removes or keeps addresses as set', () => {
    const truncated = scrubberWith({ ipAddresses: 'truncate' }).scrubEvent(
      { user: { ip_address: '2001:db8:85a3:8d3:1319:8a2e:370:7348' }, request: { headers: { Forwarded: 'for=192.0.2.60;proto=http', 'X-Forwarded-For': '198.51.100.7:443, [2001:db8::1]:80' } } },
      { clientIp: '198.51.100.7' },
    )
    expect(truncated.event.user).toEqual({ ip_address: '2001:db8:85a3::' })
    expect(truncated.event.request).toEqual({ headers: { Forwarded: 'for=192.0.2.0;proto=http', 'X-Forwarded-For': '198.51.100.0:443, [2001:db8::]:80' } })
    expect(truncated.clientIp).toBe('198.51.100.0')
    const removed = scrubberWith({ ipAddresses: 'remove' }).scrubEvent(event, { clientIp: '198.51.100.7' })
    expect(removed.event.user).toEqual({ id: hashed('email', 'a@b.co'), email: hashed('email', 'a@b.co') })
    expect(removed.event.request).toEqual({ headers: [['X-Real-IP', null]] })
    expect(removed.clientIp).toBeUndefined()
    const kept = scrubberWith({ ipAddresses: 'keep' }).scrubEvent(event, { clientIp: '198.51.100.7' })
    expect(kept.event.request).toEqual(event.request)
    expect(kept.clientIp).toBe('198.51.100.7')
  })

  it('removes or keeps user.email as set; an email used as an id stays countable as a hash', () => {
    expect(scrubberWith({ userEmail: 'remove' }).scrubEvent(event).event.user).toEqual({ id: hashed('email', 'a@b.co'), ip_address: '{{auto}}' })
    expect(scrubberWith({ userEmail: 'keep' }).scrubEvent(event).event.user).toEqual(event.user)
  })

  it('hashes with the project key: another key gives another value', () => {
    const other = scrubberWith().scrubEvent({ user: { email: 'a@b.co' } })
    expect(other.event.user).toEqual({ email: hashed('email', 'a@b.co') })
    expect(hashed('email', 'a@b.co')).not.toBe(`email:${'0'.repeat(12)}`)
  })
})

describe('custom rules, allowed keys and disabled rules', () => {
  it('applies each action: replace, mask, hash, remove', () => {
    const scrubber = scrubberWith({
      ...defaultPackOnly,
      customRules: [
        { id: 'diagnosis', keys: { contains: ['diagnosis'] }, action: { type: 'replace', with: '<dx>' } },
        { id: 'member', keys: { exact: ['member'] }, action: { type: 'mask', keepSuffix: 2 } },
        { id: 'patient-ref', keys: { glob: ['patient_*_ref'] }, action: { type: 'hash' } },
        { id: 'internal', keys: { words: ['internal'] }, action: { type: 'remove' } },
        { id: 'ticket', value: { pattern: 'TCK-[0-9]{6}' }, action: { type: 'hash' } },
      ],
    })
    const { event } = scrubber.scrubEvent({
      extra: { primary_diagnosis: 'J45', member: 'W1234567', patient_07_ref: 'p-77', internalNote: 'x', text: 'see TCK-123456 and TCK-123456' },
    })
    expect(event.extra).toEqual({ primary_diagnosis: '<dx>', member: '******67', patient_07_ref: hashed('patient-ref', 'p-77'), text: `see ${hashed('ticket', 'TCK-123456')} and ${hashed('ticket', 'TCK-123456')}` })
  })

  it('narrows a custom pattern to its one capture group', () => {
    const scrubber = scrubberWith({ ...defaultPackOnly, customRules: [{ id: 'case', value: { pattern: 'case #([0-9]{4,8})' } }] })
    expect(scrubText(scrubber, 'see case #20931 today')).toBe(`see case #${F} today`)
  })

  it('keeps allowed keys whole, but never cookies or authorization', () => {
    const scrubber = scrubberWith({ ...defaultPackOnly, allowKeys: ['session', 'Authorization', 'notes'] })
    const { event } = scrubber.scrubEvent({ extra: { notes: 'ssn 078-05-1120', session: 'abc' }, request: { headers: { Authorization: 'Basic dXNlcjpwdw==', Cookie: 'a=b' } } })
    expect(event).toEqual({ extra: { notes: 'ssn 078-05-1120', session: 'abc' }, request: { headers: { Authorization: F, Cookie: F } } })
  })

  it('leaves out disabled rules of a pack', () => {
    const scrubber = scrubberWith({ ...defaultPackOnly, disabledRules: ['emails'] })
    expect(scrubText(scrubber, 'mail jane@example.com, ssn 078-05-1120')).toBe(`mail jane@example.com, ssn ${F}`)
  })

  it('keeps numeric token counts of AI spans but masks token strings', () => {
    const { event } = scrubberWith(defaultPackOnly).scrubEvent({ contexts: { trace: { data: { 'gen_ai.usage.input_tokens': 120, 'gen_ai.request.token': 'abc' } } } })
    expect(event).toEqual({ contexts: { trace: { data: { 'gen_ai.usage.input_tokens': 120, 'gen_ai.request.token': F } } } })
  })
})

describe('key names', () => {
  const scrubber = scrubberWith(defaultPackOnly)
  const masked = (key: string) => (scrubber.scrubEvent({ extra: { [key]: 'v' } }).event.extra as Record<string, unknown>)[key] === F

  it.each([
    'password', 'PASSWORD', 'user_password', 'passwd', 'pwd', 'db_pass', 'secret', 'client_secret', 'passphrase', 'token', 'access_token',
    'refresh_token', 'api_key', 'apikey', 'api-key', 'X-Api-Key', 'x-auth-token', 'auth', 'X-Auth', 'authorization', 'credentials', 'private_key',
    'privateKey', 'session', 'sessionid', 'sessionId', 'PHPSESSID', 'JSESSIONID', 'cookie', 'set-cookie', 'csrf', 'csrf_token', 'xsrf-token', 'ssn',
    'userSSN', 'social_security', 'social_security_number', 'credit_card', 'creditCardNumber', 'card_number', 'cc_number', 'cvv', 'cvc',
    'mysql_pwd', 'stripetoken', 'aws_access_key_id', 'aws_secret_access_key', 'jwt', 'otp', 'pin', 'XMLHttpSessionID',
  ])('masks %s', (key) => expect(masked(key)).toBe(true))

  it.each(['author', 'authority', 'classname', 'spinner', 'passed', 'username', 'email_verified', 'status', 'message', 'id', 'oauth_provider', 'pinned_version'])(
    'keeps %s',
    (key) => expect(masked(key)).toBe(false),
  )
})

describe('weird input', () => {
  const scrubber = scrubberWith()

  it('never throws and caps depth', () => {
    let deep: unknown = 'leaf'
    for (let i = 0; i < 10_000; i++) deep = { a: [deep] }
    const result = scrubber.scrubEvent({ extra: deep as Record<string, unknown> })
    expect(result.scrubbedCount).toBe(1)
    let node: unknown = result.event.extra
    let depth = 1
    while (typeof node === 'object' && node !== null) {
      node = Array.isArray(node) ? (node[0] as unknown) : (node as { a: unknown }).a
      depth++
    }
    expect(node).toBe(F)
    expect(depth).toBeLessThanOrEqual(MAX_SCRUB_DEPTH + 1)
    for (const input of [{}, { user: null }, { user: 'x' }, { request: [] }, { logentry: 'x' }, { logentry: { params: 3 } }, { extra: [1, null, true, [], [1, 2], ['a']] }, null, [], 'x']) {
      expect(() => scrubber.scrubEvent(input as Record<string, unknown>)).not.toThrow()
    }
  })

  it('keeps __proto__ keys as data without touching prototypes', () => {
    const input = JSON.parse('{"extra":{"__proto__":{"password":"x","polluted":true}}}') as Record<string, unknown>
    const { event } = scrubber.scrubEvent(input)
    const extra = event.extra as Record<string, unknown>
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(extra, '__proto__')?.value).toEqual({ password: F, polluted: true })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('masks card numbers sent as JSON numbers only', () => {
    expect(scrubber.scrubEvent({ extra: { a: 4111111111111111, b: 1_700_000_000_000, c: 4111111111111112, d: 3.5 } }).event.extra).toEqual({ a: F, b: 1_700_000_000_000, c: 4111111111111112, d: 3.5 })
  })
})
