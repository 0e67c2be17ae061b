import { createHash, createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { costGrowth, superLinearGrowth } from '@faultline/core/testing'
import { hostileStrings } from './hostile-strings'
import { createScrubber, MAX_SCRUB_DEPTH } from './scrubber'

const F = '[Filtered]'
const emailHash = (email: string) => `email:${createHash('sha256').update(email).digest('hex').slice(0, 12)}`

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
      { timestamp: 1_699_999_999.7, category: 'http', type: 'http', data: { url: 'https://payments.example.com/v1/charges', method: 'POST', status_code: 402 } },
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
        'x-forwarded-for': '203.0.113.9',
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

describe('createScrubber: defaults on a real event', () => {
  const scrub = createScrubber()
  const { event, scrubbedCount } = scrub(nodeEvent())
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
  })

  it('masks breadcrumbs', () => {
    expect(e.breadcrumbs[0]?.data?.url).toBe(`https://api.example.com/login?user=jane&password=${F}`)
    expect(e.breadcrumbs[1]?.message).toBe(`connecting to postgres://app:${F}@db:5432/shop`)
  })

  it('always masks cookies and authorization, and secrets in the request', () => {
    expect(e.request.cookies).toBe(F)
    expect(e.request.headers).toEqual({
      host: 'shop.example.com',
      'user-agent': 'Mozilla/5.0',
      cookie: F,
      authorization: F,
      'x-api-key': F,
      'x-forwarded-for': '203.0.113.9',
    })
    expect(e.request.url).toBe(`https://shop.example.com/checkout?session_id=${F}&step=2`)
    expect(e.request.query_string).toBe(`session_id=${F}&step=2`)
    expect(e.request.data).toEqual({ email: F, password: F, items: [{ sku: 'A1', qty: 1 }] })
  })

  it('hashes user.email stably, keeps id, username and ip_address, scrubs user.data', () => {
    expect(e.user).toEqual({ id: '42', username: 'jane', email: emailHash('jane.doe@example.com'), ip_address: '203.0.113.9', data: { ssn: F, plan: 'pro' } })
    expect(scrub({ user: { email: ' jane.doe@EXAMPLE.com ' } }).event.user).toEqual({ email: emailHash('jane.doe@example.com') })
  })

  it('masks contexts, tags and extra including [key, value] pairs', () => {
    expect(e.contexts.patient).toEqual({ mrn: 'MRN-77', notes: `call 555-123-4567; ssn ${F}` })
    expect(e.contexts.trace).toEqual({ trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', op: 'http.server' })
    expect(e.tags).toEqual({ transaction: 'POST /checkout', 'auth.method': F, region: 'eu' })
    expect(e.extra).toEqual({ stripeToken: F, attempt: 3, nested: [['secret', F], ['ok', 'y']] })
  })

  it('leaves SDK-written structural fields alone', () => {
    const original = nodeEvent()
    for (const key of ['event_id', 'timestamp', 'platform', 'level', 'sdk', 'modules', 'release', 'environment', 'fingerprint', 'server_name'] as const) {
      expect(e[key], key).toEqual(original[key])
    }
  })

  it('counts every masked value and never mutates its input', () => {
    expect(scrubbedCount).toBe(24)
    const input = nodeEvent()
    const copy = structuredClone(input)
    scrub(input)
    expect(input).toEqual(copy)
  })

  it('is idempotent', () => {
    expect(scrub(event)).toEqual({ event, scrubbedCount: 0 })
  })
})

describe('createScrubber: options', () => {
  it('removes IP addresses when scrubIpAddresses is set', () => {
    const { event } = createScrubber({ scrubIpAddresses: true })(nodeEvent())
    const e = event as ReturnType<typeof nodeEvent>
    expect(e.user.ip_address).toBeUndefined()
    expect('ip_address' in e.user).toBe(false)
    expect(e.request.env).toEqual({})
    expect(e.request.headers['x-forwarded-for']).toBeUndefined()
    expect(createScrubber({ scrubIpAddresses: true })({ request: { headers: [['X-Real-IP', '1.2.3.4']] } }).event).toEqual({ request: { headers: [['X-Real-IP', null]] } })
  })

  it('keeps emails when scrubEmails is false', () => {
    const { event } = createScrubber({ scrubEmails: false })(nodeEvent())
    const e = event as ReturnType<typeof nodeEvent>
    expect(e.user.email).toBe('Jane.Doe@example.com')
    expect(e.message).toBe(`Payment failed for jane.doe@example.com with card ${F}`)
  })

  it('uses an HMAC for the email hash when a key is given', () => {
    const { event } = createScrubber({ emailHashKey: 'k' })({ user: { email: 'a@b.co' } })
    expect(event.user).toEqual({ email: `email:${createHmac('sha256', 'k').update('a@b.co').digest('hex').slice(0, 12)}` })
  })

  it('hashes ids and usernames that are email addresses', () => {
    const { event } = createScrubber()({ user: { id: 'a@b.co', username: 'a@b.co' } })
    expect(event.user).toEqual({ id: emailHash('a@b.co'), username: emailHash('a@b.co') })
  })

  it('masks extraSensitiveKeys and spares safeKeys, but never cookies or authorization', () => {
    const scrub = createScrubber({ extraSensitiveKeys: ['MRN', 'diagnosis'], safeKeys: ['session', 'Authorization', 'notes'] })
    const { event } = scrub({
      contexts: { patient: { mrn: 'MRN-77', primary_diagnosis: 'J45', notes: 'ssn 078-05-1120', session: 'abc' } },
      request: { headers: { Authorization: 'Basic dXNlcjpwdw==', Cookie: 'a=b' } },
    })
    expect(event).toEqual({
      contexts: { patient: { mrn: F, primary_diagnosis: F, notes: 'ssn 078-05-1120', session: 'abc' } },
      request: { headers: { Authorization: F, Cookie: F } },
    })
  })

  it('keeps numeric token counts of AI spans but masks token strings', () => {
    const { event } = createScrubber()({ contexts: { trace: { data: { 'gen_ai.usage.input_tokens': 120, 'gen_ai.request.token': 'abc' } } } })
    expect(event).toEqual({ contexts: { trace: { data: { 'gen_ai.usage.input_tokens': 120, 'gen_ai.request.token': F } } } })
  })
})

describe('createScrubber: key names', () => {
  const scrub = createScrubber()
  const masked = (key: string) => (scrub({ extra: { [key]: 'v' } }).event.extra as Record<string, unknown>)[key] === F

  it.each([
    'password', 'PASSWORD', 'user_password', 'passwd', 'pwd', 'db_pass', 'secret', 'client_secret', 'passphrase', 'token', 'access_token',
    'refresh_token', 'api_key', 'apikey', 'api-key', 'X-Api-Key', 'x-auth-token', 'auth', 'X-Auth', 'authorization', 'credentials', 'private_key',
    'privateKey', 'session', 'sessionid', 'sessionId', 'PHPSESSID', 'JSESSIONID', 'cookie', 'set-cookie', 'csrf', 'csrf_token', 'xsrf-token', 'ssn',
    'userSSN', 'social_security', 'social_security_number', 'credit_card', 'creditCardNumber', 'card_number', 'cc_number', 'cvv', 'cvc',
    'mysql_pwd', 'stripetoken', 'aws_access_key_id', 'aws_secret_access_key', 'jwt', 'otp', 'pin',
  ])('masks %s', (key) => expect(masked(key)).toBe(true))

  it.each(['author', 'authority', 'classname', 'spinner', 'passed', 'username', 'email_verified', 'status', 'message', 'id', 'oauth_provider', 'pinned_version'])(
    'keeps %s',
    (key) => expect(masked(key)).toBe(false),
  )
})

describe('createScrubber: weird input', () => {
  const scrub = createScrubber()

  it('never throws and caps depth', () => {
    let deep: unknown = 'leaf'
    for (let i = 0; i < 10_000; i++) deep = { a: [deep] }
    const result = scrub({ extra: deep as Record<string, unknown> })
    expect(result.scrubbedCount).toBe(1)
    let node: unknown = result.event.extra
    let depth = 1
    while (typeof node === 'object' && node !== null) {
      node = Array.isArray(node) ? (node[0] as unknown) : (node as { a: unknown }).a
      depth++
    }
    expect(node).toBe(F)
    expect(depth).toBeLessThanOrEqual(MAX_SCRUB_DEPTH + 1)
    for (const input of [{}, { user: null }, { user: 'x' }, { request: [] }, { extra: [1, null, true, [], [1, 2], ['a']] }, null, [], 'x']) {
      expect(() => scrub(input as Record<string, unknown>)).not.toThrow()
    }
  })

  it('keeps __proto__ keys as data without touching prototypes', () => {
    const input = JSON.parse('{"extra":{"__proto__":{"password":"x","polluted":true}}}') as Record<string, unknown>
    const { event } = scrub(input)
    const extra = event.extra as Record<string, unknown>
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(extra, '__proto__')?.value).toEqual({ password: F, polluted: true })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('masks card numbers sent as JSON numbers only', () => {
    expect(scrub({ extra: { a: 4111111111111111, b: 1_700_000_000_000, c: 4111111111111112, d: 3.5 } }).event.extra).toEqual({ a: F, b: 1_700_000_000_000, c: 4111111111111112, d: 3.5 })
  })
})

describe('createScrubber: hostile strings', () => {
  it('scrubs an event full of hostile strings in time linear in their length', () => {
    const scrub = createScrubber()
    const event = (k: number) => {
      const [message, ...list] = Object.values(hostileStrings).map((hostile) => hostile(k))
      return { message, extra: { list } }
    }
    const [small, large] = [event(1), event(8)]
    // The scrubber returns a scrubbed copy, so the same input serves every round.
    const growth = costGrowth(() => scrub(small), () => scrub(large))
    expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(superLinearGrowth)
  })
})
