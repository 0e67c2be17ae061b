import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { normalizeEvent, type NormalizedEvent } from '../normalize'
import { computeGrouping, GroupingStrategy } from './index'

type Raw = Record<string, unknown>
type RawFrame = Record<string, unknown>

function fixture(name: string): Raw {
  return JSON.parse(readFileSync(new URL(`../normalize/fixtures/${name}.json`, import.meta.url), 'utf8')) as Raw
}

function normalized(raw: Raw): NormalizedEvent {
  const result = normalizeEvent(raw, { projectId: 'p', receivedAt: Date.UTC(2025, 0, 10) })
  if (!result.ok) throw new Error(result.reason)
  return result.event
}

const group = (raw: Raw) => computeGrouping(normalized(raw))

function framesOf(raw: Raw, index = 0): RawFrame[] {
  const values = (raw.exception as { values: { stacktrace: { frames: RawFrame[] } }[] }).values
  return values[index]?.stacktrace.frames ?? []
}

const nodeFrame = (path: string, fn: string, lineno: number, contextLine?: string, inApp = !path.includes('node_modules')): RawFrame => ({
  filename: path,
  module: path.replace(/^\/srv\/app\//, '').replace(/\.js$/, '').replace(/\//g, '.'),
  function: fn,
  lineno,
  colno: 9,
  in_app: inApp,
  ...(contextLine === undefined ? {} : { context_line: contextLine, pre_context: [`// before ${lineno}`], post_context: ['}'] }),
})

const errorWith = (frames: RawFrame[], type = 'Error', value = 'boom'): Raw => ({
  platform: 'node',
  exception: { values: [{ type, value, mechanism: { type: 'generic', handled: true }, stacktrace: { frames } }] },
})

describe('computeGrouping on @sentry/node payloads', () => {
  it('groups by the in-app frames of the exception, ignoring line numbers', () => {
    const original = fixture('node-type-error')
    const shifted = structuredClone(original)
    for (const frame of framesOf(shifted)) {
      frame.lineno = (frame.lineno as number) + 7
      frame.colno = (frame.colno as number) + 3
      frame.pre_context = ['// a comment added above', ...((frame.pre_context as string[] | undefined) ?? [])]
    }
    shifted.event_id = 'f'.repeat(32)
    const a = group(original)
    const b = group(shifted)
    expect(a.strategy).toBe(GroupingStrategy.InAppStacktrace)
    expect(a.fingerprint).toMatch(/^[0-9a-f]{32}$/)
    expect(b.fingerprint).toBe(a.fingerprint)
    expect(a.components[0]).toBe('type: TypeError')
    expect(a.components).toContain(
      'frame: module=src.services:order-service function=getTotal context="return lines.reduce((sum, line) => sum + line.price * line.qty, 0);"',
    )
    expect(a.components.join('\n')).not.toMatch(/run_main|loader/)
  })

  it('splits when the in-app call path differs', () => {
    const original = fixture('node-type-error')
    const other = structuredClone(original)
    const caller = framesOf(other).find((f) => f.function === 'handleCheckout')
    if (!caller) throw new Error('fixture changed: no handleCheckout frame')
    caller.function = 'handleReorder'
    caller.context_line = '  return service.getTotal(previousOrder);'
    expect(group(other).fingerprint).not.toBe(group(original).fingerprint)
  })

  it('does not split on framework, node_modules or runtime frames alone', () => {
    const app = [nodeFrame('/srv/app/src/routes/cart.js', 'handleCart', 20, 'return loadCart(req.user);'), nodeFrame('/srv/app/src/cart.js', 'loadCart', 8, 'throw new Error("empty");')]
    const viaExpress4 = [
      nodeFrame('/srv/app/node_modules/express/lib/router/layer.js', 'Layer.handle [as handle_request]', 95),
      app[0] as RawFrame,
      nodeFrame('node:internal/process/task_queues', 'process.processTicksAndRejections', 95, undefined, false),
      app[1] as RawFrame,
    ]
    const viaExpress5 = [
      nodeFrame('/srv/app/node_modules/express/lib/router/route.js', 'next', 149),
      // An SDK that wrongly marks a dependency in-app: Sentry's node_modules rule overrides it.
      nodeFrame('/srv/app/node_modules/router/index.js', 'dispatch', 311, 'layer.handle(req, res, next)', true),
      app[0] as RawFrame,
      app[1] as RawFrame,
    ]
    const a = group(errorWith(viaExpress4))
    const b = group(errorWith(viaExpress5))
    expect(a.strategy).toBe(GroupingStrategy.InAppStacktrace)
    expect(b.fingerprint).toBe(a.fingerprint)
    expect(a.components).toHaveLength(3)
  })

  it('groups minified bundles across deploys whatever their content hash', () => {
    const browser = (bundle: string, line: number): Raw => ({
      platform: 'javascript',
      exception: {
        values: [{
          type: 'TypeError',
          value: "Cannot read properties of null (reading 'id')",
          stacktrace: {
            frames: [
              { filename: `https://shop.example.com/static/js/${bundle}?v=${line}`, abs_path: `https://shop.example.com/static/js/${bundle}`, function: 'Object.onClick', lineno: 1, colno: line, in_app: true },
              { filename: `https://shop.example.com/static/js/${bundle}`, function: 'renderCart', lineno: 1, colno: line + 400, in_app: true },
            ],
          },
        }],
      },
    })
    const a = group(browser('main.3f9a1b2c.js', 1200))
    const b = group(browser('main.77c0e2d9.js', 1234))
    const c = group(browser('vendor.3f9a1b2c.js', 1200))
    expect(a.components).toContain('frame: file=main.<hash>.js function=renderCart')
    expect(b.fingerprint).toBe(a.fingerprint)
    expect(c.fingerprint).not.toBe(a.fingerprint)
  })

  it('uses every exception of a chain, oldest first', () => {
    const original = fixture('node-chained-cause')
    const grouping = group(original)
    expect(grouping.strategy).toBe(GroupingStrategy.InAppStacktrace)
    expect(grouping.components.filter((c) => c.includes('type: '))).toEqual(['[0] type: QueryError', '[1] type: Error'])

    const otherCause = structuredClone(original)
    const values = (otherCause.exception as { values: Raw[] }).values
    ;(values[0] as Raw).type = 'ConnectionError'
    expect(group(otherCause).fingerprint).not.toBe(grouping.fingerprint)

    const otherOrder = structuredClone(original)
    ;((otherOrder.exception as { values: Raw[] }).values[1] as Raw).value = 'Failed to load order o-77'
    expect(group(otherOrder).fingerprint).toBe(grouping.fingerprint)
  })

  it('falls back to system frames when none is in-app, and they then count', () => {
    const system = (fn: string) => errorWith([nodeFrame('/srv/app/node_modules/pg/lib/client.js', fn, 10), nodeFrame('/srv/app/node_modules/pg/lib/query.js', 'handleError', 20)])
    const a = group(system('connect'))
    expect(a.strategy).toBe(GroupingStrategy.SystemStacktrace)
    expect(group(system('connect')).fingerprint).toBe(a.fingerprint)
    expect(group(system('query')).fingerprint).not.toBe(a.fingerprint)
  })

  it('ignores context lines over 120 characters and anonymous functions', () => {
    const long = (tail: string) => errorWith([nodeFrame('/srv/app/src/a.js', 'Object.<anonymous>', 3, `const x = ${'y'.repeat(120)}${tail}`)])
    expect(group(long('1')).fingerprint).toBe(group(long('2')).fingerprint)
    expect(group(long('1')).components).toEqual(['type: Error', 'frame: module=src.a'])
  })
})

describe('computeGrouping without stacks', () => {
  const bare = (type: string, value: string): Raw => ({ exception: { values: [{ type, value }] } })

  it('groups exceptions by type and parameterized value', () => {
    const a = group(bare('NotFoundError', 'User 42 (ann@example.com) not found in 12ms'))
    const b = group(bare('NotFoundError', 'User 977 (bob@example.org) not found in 9ms'))
    expect(a.strategy).toBe(GroupingStrategy.Exception)
    expect(a.components).toEqual(['type: NotFoundError', 'value: User <int> (<email>) not found in <duration>'])
    expect(b.fingerprint).toBe(a.fingerprint)
    expect(group(bare('AuthError', 'User 42 (ann@example.com) not found in 12ms')).fingerprint).not.toBe(a.fingerprint)
  })

  it('leaves out the type of a synthetic exception', () => {
    const synthetic = group({ exception: { values: [{ type: 'Error', value: 'Non-Error exception captured with keys: code', mechanism: { synthetic: true } }] } })
    expect(synthetic.components).toEqual(['value: Non-Error exception captured with keys: code'])
  })

  it('groups messages by their parameterized text', () => {
    const a = group(fixture('node-message'))
    expect(a.strategy).toBe(GroupingStrategy.Message)
    expect(a.components).toEqual(['message: Payment provider timeout after <duration> for order <int>'])
    expect(group({ message: 'Payment provider timeout after 17ms for order 4' }).fingerprint).toBe(a.fingerprint)
    expect(group({ message: 'Payment provider refused order 4' }).fingerprint).not.toBe(a.fingerprint)
  })

  it('puts events with nothing to group by together', () => {
    const a = group({})
    expect(a.strategy).toBe(GroupingStrategy.Fallback)
    expect(group({ level: 'info', tags: { a: 'b' } }).fingerprint).toBe(a.fingerprint)
  })
})

describe('custom fingerprints', () => {
  it('extends the default components where {{ default }} stands', () => {
    const raw = fixture('node-custom-fingerprint')
    const custom = group(raw)
    const plain = group({ ...raw, fingerprint: undefined })
    expect(custom.strategy).toBe(GroupingStrategy.Custom)
    expect(custom.components).toEqual([...plain.components, 'custom: payments'])
    expect(custom.fingerprint).not.toBe(plain.fingerprint)
    expect(group({ ...raw, fingerprint: ['{{default}}', 'payments'] }).fingerprint).toBe(custom.fingerprint)
    expect(group({ ...raw, fingerprint: ['{{  DEFAULT }}', 'payments'] }).fingerprint).toBe(custom.fingerprint)
  })

  it('replaces the default grouping when {{ default }} is absent', () => {
    const a = group({ ...fixture('node-type-error'), fingerprint: ['database-unavailable'] })
    const b = group({ ...fixture('node-chained-cause'), fingerprint: ['database-unavailable'] })
    expect(a.strategy).toBe(GroupingStrategy.Custom)
    expect(a.components).toEqual(['custom: database-unavailable'])
    expect(b.fingerprint).toBe(a.fingerprint)
    // md5 of '["custom: a"]': the hash must not depend on the process or the machine.
    expect(group({ message: 'x', fingerprint: ['a'] }).fingerprint).toBe('9ab24da88f54e0a4116d2c994063d3f9')
  })

  it('resolves variables such as {{ transaction }} and {{ tags.x }}', () => {
    const grouping = group({ message: 'x', transaction: 'GET /a', tags: { shard: 's1' }, fingerprint: ['{{ transaction }}', '{{ tags.shard }}', '{{ tags.none }}'] })
    expect(grouping.components).toEqual(['custom: GET /a', 'custom: s1', 'custom: <no-value-for-tag-none>'])
  })

  it('treats a fingerprint of only {{ default }} as the default grouping', () => {
    const raw = fixture('node-type-error')
    const defaulted = group({ ...raw, fingerprint: ['{{ default }}'] })
    expect(defaulted.strategy).toBe(GroupingStrategy.InAppStacktrace)
    expect(defaulted.fingerprint).toBe(group(raw).fingerprint)
  })
})
