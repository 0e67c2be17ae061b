/** Grouping of the shapes beyond a JavaScript exception: stacks outside exceptions, other platforms, reports, templates, checksums. */
import { describe, expect, it } from 'vitest'
import { normalizeEvent } from '../normalize'
import { computeGrouping, GroupingStrategy, trimNativeFunction } from './index'

type Raw = Record<string, unknown>

function group(raw: Raw) {
  const result = normalizeEvent(raw, { projectId: 'p', receivedAt: Date.UTC(2025, 0, 10) })
  if (!result.ok) throw new Error(result.reason)
  return computeGrouping(result.event)
}

const pyFrame = (fn: string, lineno = 10) => ({ module: `shop.${fn}`, filename: `shop/${fn}.py`, function: fn, lineno, in_app: true, context_line: `    ${fn}()` })
const stack = (fns: string[], lineno = 10) => ({ frames: fns.map((fn) => pyFrame(fn, lineno)) })

describe('stacks outside exceptions', () => {
  it('groups a message with a thread stack (attach_stacktrace) by that stack, not by its text', () => {
    const withStack = (message: string, lineno: number) => ({ platform: 'python', message, threads: { values: [{ id: 1, current: true, stacktrace: stack(['main', 'charge'], lineno) }] } })
    const a = group(withStack('charge failed for order 1', 10))
    expect(a.strategy).toBe(GroupingStrategy.InAppStacktrace)
    expect(a.components).toEqual(['stack: thread', 'frame: module=shop.main function=main context="main()"', 'frame: module=shop.charge function=charge context="charge()"'])
    expect(group(withStack('something else entirely', 99)).fingerprint).toBe(a.fingerprint)
  })

  it('picks the crashed thread, else the only current one, else the only thread', () => {
    const threads = (values: Raw[]) => group({ platform: 'python', threads: { values } }).components[2]
    const t = (fn: string, flags: Raw = {}) => ({ id: fn, stacktrace: stack(['main', fn]), ...flags })
    expect(threads([t('a'), t('b', { crashed: true }), t('c', { current: true })])).toContain('function=b')
    expect(threads([t('a', { crashed: true }), t('b', { crashed: true }), t('c', { current: true })])).toContain('function=c')
    expect(threads([t('only')])).toContain('function=only')
    expect(group({ platform: 'python', message: 'm', threads: [t('a'), t('b')] }).strategy).toBe(GroupingStrategy.Message)
  })

  it('groups by a top-level stacktrace, and by the exception when there is one', () => {
    const top = group({ platform: 'python', message: 'x', stacktrace: stack(['main', 'slow']) })
    expect(top.components[0]).toBe('stack: stacktrace')
    const both = group({ platform: 'python', exception: { values: [{ type: 'E', stacktrace: stack(['main', 'own']) }] }, stacktrace: stack(['main', 'other']) })
    expect(both.components).toEqual(['type: E', expect.stringContaining('function=main'), expect.stringContaining('function=own')])
  })
})

describe('other interfaces', () => {
  it('groups a template error by file and line, whatever its message', () => {
    const template = (message: string) => ({ message, template: { filename: 'orders/detail.html', context_line: '  {{ order.total|money }}', lineno: 12 } })
    const a = group(template('Invalid filter on order 1'))
    expect(a).toMatchObject({ strategy: GroupingStrategy.Template, components: ['template: orders/detail.html', 'context-line: {{ order.total|money }}'] })
    expect(group(template('Invalid filter on order 2 and more')).fingerprint).toBe(a.fingerprint)
  })

  it('groups CSP violations by directive and blocked host, and local scripts by violation', () => {
    const csp = (fields: Raw) => group({ csp: { document_uri: 'https://shop.example.com/', ...fields } })
    const a = csp({ effective_directive: 'script-src', blocked_uri: 'https://evil.example.org/a.js?x=1' })
    expect(a).toMatchObject({ strategy: GroupingStrategy.Security, components: ['salient-name: script-src', 'uri: evil.example.org'] })
    expect(csp({ effective_directive: 'script-src', blocked_uri: 'https://evil.example.org/b.js' }).fingerprint).toBe(a.fingerprint)
    expect(csp({ effective_directive: 'img-src', blocked_uri: 'https://evil.example.org/b.png' }).fingerprint).not.toBe(a.fingerprint)
    expect(csp({ effective_directive: 'script-src', blocked_uri: 'self', violated_directive: "script-src 'self' 'unsafe-inline'" }).components).toEqual(['salient-name: script-src', "violation: 'unsafe-inline'"])
  })

  it('groups certificate reports by kind and host', () => {
    expect(group({ hpkp: { hostname: 'bank.example.com' } }).components).toEqual(['salient-name: hpkp', 'hostname: bank.example.com'])
    expect(group({ expectct: { hostname: 'bank.example.com' } }).fingerprint).not.toBe(group({ hpkp: { hostname: 'bank.example.com' } }).fingerprint)
  })

  it('groups log messages by their template, not their params', () => {
    const log = (params: unknown[]) => group({ logentry: { message: 'Payment %s declined: %s', params } })
    expect(log(['p-1', 'insufficient funds']).fingerprint).toBe(log(['p-2', 'card expired']).fingerprint)
    expect(log(['p-1', 'x']).components).toEqual(['message: Payment %s declined: %s'])
  })

  it('uses a legacy checksum as the hash, or hashes it', () => {
    const hex = group({ checksum: 'ABCDEF0123456789ABCDEF0123456789', message: 'x' })
    expect(hex).toMatchObject({ strategy: GroupingStrategy.Checksum, fingerprint: 'abcdef0123456789abcdef0123456789' })
    expect(group({ checksum: 'my-key', message: 'y' }).fingerprint).toBe(group({ checksum: 'my-key', message: 'z' }).fingerprint)
  })

  it('lets an NSError domain and code stand for the value', () => {
    const ns = (value: string, code: number) => group({ platform: 'cocoa', exception: { values: [{ type: 'NSError', value, mechanism: { type: 'NSError', meta: { ns_error: { domain: 'NSURLErrorDomain', code } } } }] } })
    expect(ns('timed out after 3s', -1001).components).toEqual(['type: NSError', 'ns-error: NSURLErrorDomain -1001'])
    expect(ns('timed out after 9s on host x', -1001).fingerprint).toBe(ns('timed out after 3s', -1001).fingerprint)
    expect(ns('timed out', -1009).fingerprint).not.toBe(ns('timed out', -1001).fingerprint)
  })
})

describe('frames of other platforms', () => {
  const one = (platform: string, frame: Raw) => group({ platform, exception: { values: [{ type: 'E', stacktrace: { frames: [{ in_app: true, ...frame }] } }] } }).components[1]

  it('uses context lines only where Sentry trusts the source: JavaScript, Python, PHP, Ruby', () => {
    const frame = { module: 'com.example.Cart', function: 'add', context_line: 'items.add(item);' }
    expect(one('java', frame)).toBe('frame: module=com.example.Cart function=add')
    expect(one('python', frame)).toBe('frame: module=com.example.Cart function=add context="items.add(item);"')
  })

  it('drops Java lambdas and generated class numbers', () => {
    expect(one('java', { module: 'com.example.Cart', function: 'lambda$add$0' })).toBe('frame: module=com.example.Cart')
    expect(one('java', { module: 'sun.reflect.GeneratedMethodAccessor42', function: 'invoke' })).toBe('frame: module=sun.reflect.GeneratedMethodAccessor function=invoke')
    expect(one('java', { module: 'com.example.Cart$$EnhancerBySpringCGLIB$$1a2b3c', function: 'add' })).toBe('frame: module=com.example.Cart$$EnhancerBySpringCGLIB$$<auto> function=add')
  })

  it('trims native signatures unless a raw function says the SDK trimmed them, and skips unknown names', () => {
    expect(one('native', { function: 'void Renderer::draw(Scene const&) const', package: '/app/libgame.so' })).toBe('frame: function=Renderer::draw')
    expect(one('native', { function: 'Renderer::draw', raw_function: 'void Renderer::draw(Scene const&) const' })).toBe('frame: function=Renderer::draw')
    expect(group({ platform: 'native', exception: { values: [{ type: 'SIGSEGV', stacktrace: { frames: [{ function: '<redacted>', in_app: true }] } }] } }).strategy).toBe(GroupingStrategy.Exception)
  })

  it('groups unsymbolicated native frames by binary and offset, never by absolute address', () => {
    const crash = (base: number) => ({
      platform: 'native',
      exception: { values: [{ type: 'SIGSEGV', value: 'Segfault', stacktrace: { frames: [
        { instruction_addr: `0x${(base + 0x1a2b).toString(16)}`, image_addr: `0x${base.toString(16)}`, package: '/app0/eboot.bin', in_app: true },
        { instruction_addr: `0x${(base + 0x3c4d).toString(16)}`, image_addr: `0x${base.toString(16)}`, package: '/app0/eboot.bin', in_app: true },
        { instruction_addr: '0x7fff0010', package: '/app0/eboot.bin', in_app: true },
      ] } }] },
    })
    const a = group(crash(0x400000))
    expect(a.components).toEqual(['type: SIGSEGV', 'frame: package=eboot.bin offset=0x1a2b', 'frame: package=eboot.bin offset=0x3c4d'])
    expect(group(crash(0x7f1200000)).fingerprint).toBe(a.fingerprint)
  })

  it('prefers the raw function on .NET, drops PHP anonymous functions, names Ruby blocks', () => {
    expect(one('csharp', { module: 'Shop.Cart', function: 'Add', raw_function: 'Add(Item item)' })).toBe('frame: module=Shop.Cart function=Add(Item item)')
    expect(one('php', { filename: 'src/Cart.php', function: '{closure}', context_line: '' })).toBe('frame: file=cart.php function={closure}')
    expect(one('php', { filename: 'src/Cart.php', function: 'class@anonymous/src/Cart.php:12$0::add' })).toBe('frame: file=cart.php')
    expect(one('ruby', { filename: 'app/cart.rb', function: 'block in add' })).toBe('frame: file=cart.rb function=block')
  })
})

describe('trimNativeFunction', () => {
  it.each([
    ['void Renderer::draw(Scene const&) const', 'Renderer::draw'],
    ['std::vector<int, std::allocator<int> >::push_back(int const&)', 'std::vector<T>::push_back'],
    ['(anonymous namespace)::tick(float)', '(anonymous namespace)::tick'],
    ['unsigned long Hash::of<std::string>(std::string const&) noexcept', 'Hash::of<T>'],
    ['Stream::operator<<(int)', 'Stream::operator<<'],
    ['-[CartViewController addItem:]', '-[CartViewController addItem:]'],
    ['MyApp.Cart.add(item: MyApp.Item) -> ()', 'MyApp.Cart.add'],
    ['main', 'main'],
  ])('%s → %s', (input, expected) => {
    expect(trimNativeFunction(input)).toBe(expected)
  })
})
