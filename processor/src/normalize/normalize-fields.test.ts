import { describe, expect, it } from 'vitest'
import { inferInApp, maxBreadcrumbs, maxExceptions, maxFramesPerStack, normalizeEvent, type NormalizedEvent } from './index'

const context = { projectId: 'p', receivedAt: Date.UTC(2025, 0, 10), clientIp: '198.51.100.7' }

function normalize(raw: Record<string, unknown>): NormalizedEvent {
  const result = normalizeEvent(raw, context)
  if (!result.ok) throw new Error(result.reason)
  return result.event
}

const frame = (n: number, extra: Record<string, unknown> = {}) => ({ filename: `/app/f${n}.js`, function: `fn${n}`, lineno: n, ...extra })

describe('messages', () => {
  it('prefers logentry.formatted, then formats logentry.message with its params', () => {
    expect(normalize({ logentry: { formatted: 'done', message: 'x %s', params: ['y'] } }).message).toBe('done')
    expect(normalize({ logentry: { message: 'user %s failed %d times %%', params: ['ann', 3] } }).message).toBe(
      'user ann failed 3 times %',
    )
    expect(normalize({ logentry: { message: 'hi %(name)s', params: { name: 'bo' } } }).message).toBe('hi bo')
    expect(normalize({ logentry: { message: 'too few %s %s', params: ['a'] } }).message).toBe('too few a %s')
  })

  it('reads a legacy message string or object', () => {
    expect(normalize({ message: 'plain' }).message).toBe('plain')
    expect(normalize({ message: { message: 'obj %s', params: [{ a: 1 }] } }).message).toBe('obj {"a":1}')
    expect(normalize({ message: 17 }).message).toBe('17')
  })

  it('titles by the first line of the message, truncated', () => {
    expect(normalize({ message: 'first\nsecond' }).title).toBe('first')
    const title = normalize({ message: 'x'.repeat(500) }).title
    expect(title).toHaveLength(200)
    expect(title.endsWith('…')).toBe(true)
  })
})

describe('exceptions', () => {
  it('reads a bare list or a single object as well as { values }', () => {
    expect(normalize({ exception: [{ type: 'A' }] }).exceptions.map((e) => e.type)).toEqual(['A'])
    expect(normalize({ exception: { type: 'B', value: 'b' } }).exceptions.map((e) => e.type)).toEqual(['B'])
    expect(normalize({ exception: { values: [1, null, { nothing: true }, { value: 'v' }] } }).exceptions).toEqual([
      { value: 'v', frames: [] },
    ])
  })

  it(`keeps at most ${maxExceptions} exceptions: the oldest and the newest halves`, () => {
    const values = Array.from({ length: 40 }, (_, i) => ({ type: `E${i}` }))
    const types = normalize({ exception: { values } }).exceptions.map((e) => e.type)
    expect(types).toHaveLength(maxExceptions)
    expect(types[0]).toBe('E0')
    expect(types.at(-1)).toBe('E39')
  })

  it(`keeps at most ${maxFramesPerStack} frames: the first and last halves`, () => {
    const frames = Array.from({ length: 1000 }, (_, i) => frame(i))
    const [exception] = normalize({ exception: { values: [{ type: 'E', stacktrace: { frames } }] } }).exceptions
    expect(exception?.frames).toHaveLength(maxFramesPerStack)
    expect(exception?.framesOmitted).toBe(750)
    expect(exception?.frames[124]?.function).toBe('fn124')
    expect(exception?.frames[125]?.function).toBe('fn875')
    expect(exception?.frames.at(-1)?.function).toBe('fn999')
  })

  it('uses the crashed thread stack when the exception has none', () => {
    const threads = { values: [{ id: 1, stacktrace: { frames: [frame(1)] } }, { id: 2, crashed: true, stacktrace: { frames: [frame(2)] } }] }
    const event = normalize({ exception: { values: [{ type: 'Crash' }] }, threads })
    expect(event.exceptions[0]?.frames.map((f) => f.function)).toEqual(['fn2'])
    const own = normalize({ exception: { values: [{ type: 'Crash', thread_id: 1 }] }, threads })
    expect(own.exceptions[0]?.frames.map((f) => f.function)).toEqual(['fn1'])
    const withStack = normalize({ exception: { values: [{ type: 'E', stacktrace: { frames: [frame(9)] } }] }, threads })
    expect(withStack.exceptions[0]?.frames.map((f) => f.function)).toEqual(['fn9'])
  })

  it('drops malformed frame fields and never keeps vars', () => {
    const [exception] = normalize({
      exception: { values: [{ type: 'E', stacktrace: { frames: [{ function: 42, lineno: '12', colno: -3, vars: { secret: 1 }, in_app: 'yes' }] } }] },
    }).exceptions
    expect(exception?.frames).toEqual([{ function: '42', lineno: 12, inApp: false }])
  })
})

describe('in-app inference', () => {
  it.each([
    ['/srv/app/node_modules/express/lib/router.js', false],
    ['C:\\app\\node_modules\\x\\index.js', false],
    ['/usr/lib/node/whatever.js', false],
    ['node:internal/process/task_queues', false],
    ['internal/timers.js', false],
    ['[native code]', false],
    ['native', false],
    ['<anonymous>', false],
    [undefined, false],
    ['/srv/app/src/index.js', true],
    ['webpack:///./src/App.tsx', true],
    ['https://shop.example.com/static/app.3f9a1b.js', true],
  ])('%s → %s', (path, expected) => {
    expect(inferInApp({ path })).toBe(expected)
  })

  it('respects the in_app the SDK sent', () => {
    const frames = [{ filename: '/srv/app/node_modules/x/y.js', in_app: true }, { filename: '/srv/app/src/a.js', in_app: false }]
    const [exception] = normalize({ exception: { values: [{ type: 'E', stacktrace: { frames } }] } }).exceptions
    expect(exception?.frames.map((f) => f.inApp)).toEqual([true, false])
  })
})

describe('breadcrumbs, tags, user, request, extra', () => {
  it(`keeps the ${maxBreadcrumbs} newest breadcrumbs from a bare list`, () => {
    const crumbs = Array.from({ length: 150 }, (_, i) => ({ message: `m${i}`, timestamp: 1_736_000_000 + i, level: 'warn' }))
    const event = normalize({ breadcrumbs: crumbs })
    expect(event.breadcrumbs).toHaveLength(maxBreadcrumbs)
    expect(event.breadcrumbs[0]).toEqual({ message: 'm50', timestamp: 1_736_000_050_000, level: 'warning' })
    expect(event.breadcrumbs.at(-1)?.message).toBe('m149')
  })

  it('reads tags from an object or pairs, truncating keys to 32 and values to 200', () => {
    expect(normalize({ tags: [['a', '1'], ['b', 2], ['bad'], 'x', ['c', { no: 1 }]] }).tags).toEqual({ a: '1', b: '2' })
    const tags = normalize({ tags: { ['k'.repeat(40)]: 'v'.repeat(300), ok: true, nested: { a: 1 }, nil: null } }).tags
    const [[key, value]] = Object.entries(tags) as [[string, string]]
    expect(key).toHaveLength(32)
    expect(value).toHaveLength(200)
    expect(tags.ok).toBe('true')
    expect('nested' in tags || 'nil' in tags).toBe(false)
  })

  it('keeps a __proto__ key as data', () => {
    const raw = JSON.parse('{"tags":{"__proto__":"x"},"extra":{"__proto__":{"polluted":1}}}') as Record<string, unknown>
    const event = normalize(raw)
    expect(Object.getOwnPropertyDescriptor(event.tags, '__proto__')?.value).toBe('x')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(event.tags)).toBe(Object.prototype)
  })

  it('picks the user key from id, email, username, then ip', () => {
    expect(normalize({ user: { email: 'e@x.io', username: 'u' } }).userKey).toBe('e@x.io')
    expect(normalize({ user: { username: 'u', ip_address: '{{auto}}' } }).userKey).toBe('u')
    const byIp = normalize({ user: { ip_address: '{{auto}}', geo: { country_code: 'FR' } } })
    expect(byIp.user).toEqual({ ipAddress: '198.51.100.7', geo: { country_code: 'FR' } })
    expect(byIp.userKey).toBe('198.51.100.7')
    expect(normalize({ user: { id: 7 } }).userKey).toBe('7')
    expect(normalize({ user: 'nobody' }).user).toBeUndefined()
  })

  it('keeps url, method, query and headers of the request but not its body or cookies', () => {
    const request = normalize({
      request: { url: 'https://x.io/a', method: 'post', query_string: [['q', '1']], headers: [['Accept', 'json']], data: { card: '4111' }, cookies: 'sid=1' },
    }).request
    expect(request).toEqual({ url: 'https://x.io/a', method: 'POST', query: { q: '1' }, headers: { Accept: 'json' } })
  })

  it('caps extra to about 16 KB, noting what was cut', () => {
    const extra = normalize({ extra: { small: 'ok', big: 'x'.repeat(1000), huge: Array.from({ length: 90 }, () => 'y'.repeat(1000)) } }).extra
    expect(extra?.small).toBe('ok')
    expect(extra?.big).toHaveLength(1000)
    expect(extra?.huge).toMatch(/^\[truncated: \d+ bytes\]$/)
    expect(Buffer.byteLength(JSON.stringify(extra))).toBeLessThanOrEqual(16 * 1024)
  })

  it('keeps object contexts only', () => {
    expect(normalize({ contexts: { os: { name: 'Linux' }, bad: 'text', list: [1] } }).contexts).toEqual({ os: { name: 'Linux' } })
  })

  it('keeps a fingerprint of strings, dropping what is not text', () => {
    expect(normalize({ fingerprint: ['{{ default }}', 12, { a: 1 }] }).fingerprint).toEqual(['{{ default }}', '12'])
    expect(normalize({ fingerprint: 'nope' }).fingerprint).toBeUndefined()
    expect(normalize({ fingerprint: [] }).fingerprint).toBeUndefined()
  })
})

describe('hostile payloads', () => {
  function deep(levels: number): Record<string, unknown> {
    let value: Record<string, unknown> = { leaf: true }
    for (let i = 0; i < levels; i++) value = { next: value }
    return value
  }

  it('survives every field being of the wrong type', () => {
    const junk = [null, 1, 'x', true, [], {}, [null, 1, 'x', [], {}], { values: 'x' }, { values: [null, 'x', 1] }, deep(5)]
    const fields = ['event_id', 'timestamp', 'level', 'platform', 'logger', 'transaction', 'server_name', 'release', 'dist', 'environment',
      'message', 'logentry', 'exception', 'threads', 'breadcrumbs', 'tags', 'contexts', 'user', 'request', 'sdk', 'fingerprint', 'extra']
    for (const value of junk) {
      const raw = Object.fromEntries(fields.map((field) => [field, value]))
      const result = normalizeEvent(raw, context)
      expect(result.ok).toBe(true)
      expect(() => JSON.stringify(result)).not.toThrow()
    }
  })

  it('bounds deep nesting and huge strings', () => {
    const event = normalize({ extra: deep(10_000), contexts: { deep: deep(50) }, message: 'm'.repeat(1_000_000), release: 'r'.repeat(10_000) })
    expect(JSON.stringify(event.extra)).toContain('[Object]')
    expect(event.message?.length).toBeLessThanOrEqual(8192)
    expect(event.release?.length).toBeLessThanOrEqual(200)
  })

  it('reports a payload whose getters throw instead of throwing', () => {
    const raw = Object.defineProperty({}, 'exception', { enumerable: true, get: () => { throw new Error('boom') } })
    const result = normalizeEvent(raw, context)
    expect(result).toEqual({ ok: false, reason: 'event payload could not be read: boom' })
  })
})
