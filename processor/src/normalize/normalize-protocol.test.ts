/** The parts of Sentry's event protocol beyond the common ones: legacy names, stacks outside exceptions, threads, native fields, reports. */
import { describe, expect, it } from 'vitest'
import { normalizeEvent, type NormalizedEvent } from './index'

const context = { projectId: 'p', receivedAt: Date.UTC(2025, 0, 10), clientIp: '198.51.100.7' }

function normalize(raw: Record<string, unknown>): NormalizedEvent {
  const result = normalizeEvent(raw, context)
  if (!result.ok) throw new Error(result.reason)
  return result.event
}

const frame = (fn: string, extra: Record<string, unknown> = {}) => ({ filename: `/app/${fn}.py`, module: `app.${fn}`, function: fn, lineno: 3, in_app: true, ...extra })
const stack = (...fns: string[]) => ({ frames: fns.map((fn) => frame(fn)) })
const names = (frames: { function?: string }[] | undefined) => (frames ?? []).map((f) => f.function)

describe('legacy interface names', () => {
  it('reads sentry.interfaces.Exception, Message, Http, User, Breadcrumbs and Contexts', () => {
    const event = normalize({
      'sentry.interfaces.Exception': { values: [{ type: 'ValueError', value: 'bad', stacktrace: stack('main', 'parse') }] },
      'sentry.interfaces.Message': { message: 'parse %s failed', params: ['x'] },
      'sentry.interfaces.Http': { url: 'https://x.io/a', method: 'get', fragment: 'top', env: { REMOTE_ADDR: '10.0.0.1' } },
      'sentry.interfaces.User': { id: 'u1', name: 'Ann' },
      'sentry.interfaces.Breadcrumbs': { values: [{ message: 'step 1' }] },
      'sentry.interfaces.Contexts': { os: { name: 'Linux' } },
    })
    expect(event.title).toBe('ValueError: bad')
    expect(names(event.exceptions[0]?.frames)).toEqual(['main', 'parse'])
    expect(event.message).toBe('parse x failed')
    expect(event.messageTemplate).toBe('parse %s failed')
    expect(event.request).toEqual({ url: 'https://x.io/a', method: 'GET', fragment: 'top', env: { REMOTE_ADDR: '10.0.0.1' } })
    expect(event.user).toEqual({ id: 'u1', name: 'Ann' })
    expect(event.breadcrumbs).toEqual([{ message: 'step 1' }])
    expect(event.contexts).toEqual({ os: { name: 'Linux' } })
  })

  it('prefers the current name when both are sent', () => {
    const event = normalize({ exception: { values: [{ type: 'New' }] }, 'sentry.interfaces.Exception': { values: [{ type: 'Old' }] } })
    expect(event.exceptions.map((e) => e.type)).toEqual(['New'])
  })

  it('moves a legacy top-level stack into the only exception, as raven-js 1.x sent them apart', () => {
    const event = normalize({ 'sentry.interfaces.Exception': { type: 'TypeError', value: 'x is null' }, 'sentry.interfaces.Stacktrace': stack('init', 'render') })
    expect(names(event.exceptions[0]?.frames)).toEqual(['init', 'render'])
    expect(event.stacktrace).toBeUndefined()
  })
})

describe('stacks outside exceptions', () => {
  it('keeps a top-level stacktrace of a message event', () => {
    const event = normalize({ message: 'slow', stacktrace: stack('a', 'b', 'c') })
    expect(names(event.stacktrace?.frames)).toEqual(['a', 'b', 'c'])
    expect(event.culprit).toBe('app.c in c')
  })

  it('keeps a top-level stacktrace beside an exception that has its own', () => {
    const event = normalize({ exception: { values: [{ type: 'E', stacktrace: stack('own') }] }, stacktrace: stack('other') })
    expect(names(event.exceptions[0]?.frames)).toEqual(['own'])
    expect(names(event.stacktrace?.frames)).toEqual(['other'])
  })

  it('stores every thread with its flags and stack, and lends the crashed stack to the exception', () => {
    const event = normalize({
      exception: { values: [{ type: 'SIGSEGV', thread_id: 7 }] },
      threads: [
        { id: 1, name: 'main', main: true, state: 'Waiting', stacktrace: stack('loop') },
        { id: 7, name: 'worker', crashed: true, current: true, stacktrace: { ...stack('work', 'crash'), registers: { rip: '0x00000000004011A0', bad: 'nope' } } },
        { id: 9, name: 'idle' },
      ],
    })
    expect(event.threads).toEqual([
      { id: '1', name: 'main', main: true, state: 'Waiting', frames: [expect.objectContaining({ function: 'loop' })] },
      { id: '7', name: 'worker', crashed: true, current: true, frames: [expect.objectContaining({ function: 'work' }), expect.objectContaining({ function: 'crash' })], registers: { rip: '0x4011a0' } },
      { id: '9', name: 'idle', frames: [] },
    ])
    expect(event.exceptions[0]).toMatchObject({ type: 'SIGSEGV', threadId: '7', registers: { rip: '0x4011a0' } })
    expect(names(event.exceptions[0]?.frames)).toEqual(['work', 'crash'])
  })

  it('reads the frames_omitted of legacy Java clients', () => {
    const event = normalize({ exception: [{ type: 'E', stacktrace: { frames: [frame('a')], frames_omitted: [3, 40] } }] })
    expect(event.exceptions[0]?.framesOmitted).toBe(37)
  })
})

describe('native frames and debug images', () => {
  it('keeps addresses as lowercase hex, the package, symbol, raw function and address mode', () => {
    const event = normalize({
      platform: 'native',
      exception: { values: [{ type: 'SIGABRT', stacktrace: { frames: [
        { instruction_addr: '0x00007FFF2E8A5B66', package: '/system/lib64/libc.so', function: 'abort', symbol_addr: 4198400, image_addr: '0x7fff2e800000', trust: 'cfi' },
        { instruction_addr: '0x1000a1b2c', package: '/data/app/com.example/lib/arm64/libgame.so', symbol: '_ZN4Game6updateEv', function: 'Game::update()', raw_function: 'Game::update()', addr_mode: 'rel:0', function_id: '0x6000012' },
        { instruction_addr: 'not-an-address', package: 'System.Private.CoreLib, Version=8.0.0.0' },
      ] } }] },
    })
    expect(event.exceptions[0]?.frames).toEqual([
      { instructionAddr: '0x7fff2e8a5b66', package: '/system/lib64/libc.so', function: 'abort', symbolAddr: '0x401000', imageAddr: '0x7fff2e800000', trust: 'cfi', inApp: false },
      { instructionAddr: '0x1000a1b2c', package: '/data/app/com.example/lib/arm64/libgame.so', symbol: '_ZN4Game6updateEv', function: 'Game::update()', addrMode: 'rel:0', functionId: '0x6000012', inApp: true },
      { package: 'System.Private.CoreLib, Version=8.0.0.0', inApp: false },
    ])
  })

  it('infers in-app from JVM and .NET module names when the SDK did not say', () => {
    const frames = [{ module: 'java.lang.Thread', function: 'run', filename: 'Thread.java' }, { module: 'com.example.shop.Cart', function: 'add', filename: 'Cart.kt' }, { module: 'System.Linq.Enumerable', function: 'First' }]
    expect(normalize({ exception: { values: [{ type: 'E', stacktrace: { frames } }] } }).exceptions[0]?.frames.map((f) => f.inApp)).toEqual([false, true, false])
  })

  it('reads debug_meta images of every kind, by their current and legacy field names', () => {
    const event = normalize({
      debug_meta: {
        sdk_info: { sdk_name: 'iOS', version_major: 17 },
        images: [
          { type: 'macho', debug_id: 'a1b2', code_file: '/private/var/containers/App.app/App', image_addr: '0x0000000100000000', image_size: 65536, arch: 'arm64' },
          { type: 'apple', uuid: 'c3d4', name: '/usr/lib/libobjc.A.dylib', image_vmaddr: '0x180000000' },
          { type: 'proguard', uuid: 'e5f6' },
          'junk',
        ],
      },
    })
    expect(event.debugMeta).toEqual({
      sdkInfo: { sdk_name: 'iOS', version_major: 17 },
      images: [
        { type: 'macho', debugId: 'a1b2', codeFile: '/private/var/containers/App.app/App', imageAddr: '0x100000000', imageSize: 65536, arch: 'arm64' },
        { type: 'apple', debugId: 'c3d4', codeFile: '/usr/lib/libobjc.A.dylib', imageVmaddr: '0x180000000' },
        { type: 'proguard', debugId: 'e5f6' },
      ],
    })
  })
})

describe('mechanism', () => {
  it('keeps handled, synthetic, meta and exception group links, naming a bare signal number', () => {
    const [exception] = normalize({
      exception: { values: [{ type: 'SIGSEGV', mechanism: {
        type: 'signalhandler', handled: false, synthetic: true, description: 'crash', help_link: 'https://x.io/h', source: 'exceptions[1]', is_exception_group: false, exception_id: 2, parent_id: 1,
        meta: { signal: { number: 11, code: 0 }, mach_exception: { exception: 1, code: 1, subcode: 8, name: 'EXC_BAD_ACCESS' }, ns_error: { code: -1, domain: 'NSURLErrorDomain' }, errno: { number: 2, name: 'ENOENT' }, junk: 1 },
        data: { relevant_address: '0x0' },
      } }] },
    }).exceptions
    expect(exception?.mechanism).toEqual({
      type: 'signalhandler', handled: false, synthetic: true, description: 'crash', helpLink: 'https://x.io/h', source: 'exceptions[1]', isExceptionGroup: false, exceptionId: 2, parentId: 1,
      meta: { signal: { number: 11, code: 0, name: 'SIGSEGV' }, machException: { exception: 1, code: 1, subcode: 8, name: 'EXC_BAD_ACCESS' }, nsError: { code: -1, domain: 'NSURLErrorDomain' }, errno: { number: 2, name: 'ENOENT' } },
      data: { relevant_address: '0x0' },
    })
  })
})

describe('titles', () => {
  const titleOf = (values: unknown[], extra: Record<string, unknown> = {}) => normalize({ exception: { values }, ...extra }).title

  it('does not repeat a type that the value repeats', () => {
    expect(titleOf([{ type: 'NullReferenceException', value: 'NullReferenceException' }])).toBe('NullReferenceException')
    expect(titleOf([{ type: 'KeyError', value: 'KeyError: user_id' }])).toBe('KeyError: user_id')
    expect(titleOf([{ type: 'KeyError', value: "'user_id'" }])).toBe("KeyError: 'user_id'")
  })

  it('splits "Type: value" sent without a type, as Relay does', () => {
    const event = normalize({ exception: { values: [{ value: 'TypeError: x is undefined' }] } })
    expect(event.exceptions[0]).toMatchObject({ type: 'TypeError', value: 'x is undefined' })
    expect(event.title).toBe('TypeError: x is undefined')
  })

  it('titles a synthetic exception by its crash function, or by type and value when no frame names one', () => {
    const synthetic = { type: 'SIGSEGV', value: 'Segfault', mechanism: { synthetic: true } }
    const frames = [{ function: 'main', in_app: true }, { function: 'Renderer::draw', in_app: true }, { function: '<redacted>', in_app: false }]
    expect(titleOf([{ ...synthetic, stacktrace: { frames } }])).toBe('Renderer::draw')
    expect(titleOf([{ ...synthetic, stacktrace: { frames: [{ instruction_addr: '0x1' }] } }])).toBe('SIGSEGV: Segfault')
  })

  it('titles an exception group by the first exception inside the root group', () => {
    const values = [
      { type: 'ValueError', value: 'bad input', mechanism: { exception_id: 2, parent_id: 1 } },
      { type: 'TypeError', value: 'not a number', mechanism: { exception_id: 3, parent_id: 1 } },
      { type: 'ExceptionGroup', value: 'many errors', mechanism: { exception_id: 1, parent_id: 0, is_exception_group: true } },
      { type: 'ExceptionGroup', value: 'top', mechanism: { exception_id: 0, is_exception_group: true } },
    ]
    expect(titleOf(values)).toBe('ValueError: bad input')
  })
})

describe('culprits', () => {
  it("uses the culprit a legacy client sent before the transaction and the stack", () => {
    expect(normalize({ culprit: 'app/views.py in checkout', transaction: '/checkout', message: 'x' }).culprit).toBe('app/views.py in checkout')
  })

  it('names the function of a native frame and no frame of a synthetic exception', () => {
    const frames = [{ function: 'main', package: '/app/bin', in_app: true }, { function: 'crash_here', package: '/app/bin', in_app: true }]
    expect(normalize({ platform: 'native', exception: { values: [{ type: 'SIGSEGV', stacktrace: { frames } }] } }).culprit).toBe('crash_here')
    expect(normalize({ platform: 'native', request: { url: 'https://x.io' }, exception: { values: [{ type: 'SIGSEGV', mechanism: { synthetic: true }, stacktrace: { frames } }] } }).culprit).toBeUndefined()
  })
})

describe('messages', () => {
  it('keeps the template of a parameterized log entry apart from the formatted text', () => {
    const event = normalize({ logentry: { message: 'user %s failed', params: ['ann'], formatted: 'user ann failed' } })
    expect(event.message).toBe('user ann failed')
    expect(event.messageTemplate).toBe('user %s failed')
    expect(normalize({ logentry: { message: 'no params' } }).messageTemplate).toBeUndefined()
    expect(normalize({ message: { message: 'obj %s', params: [1] } })).toMatchObject({ message: 'obj 1', messageTemplate: 'obj %s' })
  })
})

describe('security reports', () => {
  it('titles, culprits and tags a CSP violation as Relay does', () => {
    const event = normalize({
      csp: {
        document_uri: 'https://shop.example.com/checkout',
        effective_directive: 'script-src',
        violated_directive: "script-src 'self' https://shop.example.com cdn.example.net",
        blocked_uri: 'https://evil.example.org/x.js?id=1',
        status_code: '200',
      },
    })
    expect(event.security).toEqual({
      kind: 'csp',
      fields: {
        documentUri: 'https://shop.example.com/checkout',
        effectiveDirective: 'script-src',
        violatedDirective: "script-src 'self' https://shop.example.com cdn.example.net",
        blockedUri: 'https://evil.example.org/x.js?id=1',
        statusCode: 200,
      },
    })
    expect(event.title).toBe("Blocked 'script' from 'evil.example.org'")
    expect(event.message).toBe("Blocked 'script' from 'evil.example.org'")
    expect(event.culprit).toBe("script-src 'self' 'self' cdn.example.net")
    expect(event.tags).toEqual({ 'effective-directive': 'script-src', 'blocked-uri': 'https://evil.example.org/x.js?id=1', 'blocked-host': 'evil.example.org' })
  })

  it.each([
    [{ effective_directive: 'style-src', blocked_uri: '' }, "Blocked inline 'style'"],
    [{ effective_directive: 'script-src', blocked_uri: 'eval' }, "Blocked unsafe eval() 'script'"],
    [{ violated_directive: 'img-src data:', blocked_uri: 'data:image/png;base64,AAAA' }, "Blocked 'image' from 'data:'"],
    [{ effectiveDirective: 'font-src', blockedURL: 'https://fonts.example.net:8443/a.woff' }, "Blocked 'font' from 'fonts.example.net:8443'"],
    [{ 'effective-directive': 'form-action', 'blocked-uri': 'https://phish.example' }, "Blocked 'form' action to 'phish.example'"],
  ])('titles CSP report %j as %s', (csp, title) => {
    expect(normalize({ csp }).title).toBe(title)
  })

  it.each([
    ['hpkp', "Public key pinning validation failed for 'bank.example.com'"],
    ['expectct', "Expect-CT failed for 'bank.example.com'"],
    ['expectstaple', "Expect-Staple failed for 'bank.example.com'"],
    ['sentry.interfaces.ExpectCT', "Expect-CT failed for 'bank.example.com'"],
  ])('titles a %s report by its host', (key, title) => {
    const event = normalize({ [key]: { hostname: 'bank.example.com', port: 443, served_certificate_chain: ['-----BEGIN CERTIFICATE-----'] } })
    expect(event.title).toBe(title)
    expect(event.culprit).toBe('bank.example.com')
    expect(event.tags).toEqual({ hostname: 'bank.example.com', port: '443' })
  })

  it("keeps the client's own message, culprit and tags over the derived ones", () => {
    const event = normalize({ message: 'CSP!', culprit: 'mine', tags: { 'blocked-host': 'x' }, 'sentry.interfaces.Csp': { effective_directive: 'img-src', blocked_uri: 'https://y.example/' } })
    expect(event).toMatchObject({ title: 'CSP!', culprit: 'mine', tags: { 'effective-directive': 'img-src', 'blocked-uri': 'https://y.example/', 'blocked-host': 'x' } })
  })
})

describe('other attributes', () => {
  it('keeps modules, the legacy checksum and site, and the template interface', () => {
    const event = normalize({
      modules: { django: '4.2.1', celery: 5 },
      checksum: 'a'.repeat(32),
      site: 'eu-1',
      'sentry.interfaces.Template': { filename: 'orders/detail.html', abs_path: '/srv/templates/orders/detail.html', lineno: 12, context_line: '{{ order.total|money }}', pre_context: ['<p>'], post_context: ['</p>'] },
    })
    expect(event.modules).toEqual({ django: '4.2.1', celery: '5' })
    expect(event.checksum).toBe('a'.repeat(32))
    expect(event.tags).toEqual({ site: 'eu-1' })
    expect(event.template).toEqual({ filename: 'orders/detail.html', absPath: '/srv/templates/orders/detail.html', lineno: 12, contextLine: '{{ order.total|money }}', preContext: ['<p>'], postContext: ['</p>'] })
  })
})
