import { describe, expect, it } from 'vitest'
import { parseEnvelope, type Envelope } from '../envelope'
import { Scope } from '../scope'
import type { Event, StackFrame } from '../types'
import { Client } from './client'
import { createStackParser } from './exceptions'
import type { ClientOptions } from './options'

// A minimal V8 line parser: the platform packages have the full ones.
const parser = createStackParser((line): StackFrame | undefined => {
  const m = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/.exec(line)
  return m ? { function: m[1] ?? '?', filename: m[2], lineno: Number(m[3]), colno: Number(m[4]), in_app: true } : undefined
})

function setup(options: Partial<ClientOptions> = {}, status = 200) {
  const sent: Envelope[] = []
  const client = new Client(
    { dsn: 'http://key@127.0.0.1:1/1', clientReportDelayMs: 10, ...options },
    {
      sdk: { name: 'faultline.test', version: '0.0.0' },
      platform: 'node',
      stackParser: parser,
      makeRequest: () => async (req) => (sent.push(parseEnvelope(req.body)), { statusCode: status }),
    },
  )
  const events = () => sent.flatMap((e) => e[1]).filter(([h]) => h.type === 'event').map(([, p]) => p as Event)
  const reports = () => sent.flatMap((e) => e[1]).filter(([h]) => h.type === 'client_report').map(([, p]) => p as { discarded_events: unknown[] })
  return { client, sent, events, reports }
}

function thrown(message: string): Error {
  return new Error(message)
}

describe('Client', () => {
  it('sends an exception event with scope data, release and environment', async () => {
    const { client, events } = setup({ release: 'app@1.2.3', environment: 'prod' })
    const scope = new Scope().setTag('k', 'v').setUser({ id: 1 })
    scope.addBreadcrumb({ message: 'clicked' })
    const id = client.captureException(new TypeError('bad thing'), {}, scope)
    expect(await client.flush(1000)).toBe(true)
    const [event] = events()
    expect(event).toMatchObject({ event_id: id, release: 'app@1.2.3', environment: 'prod', platform: 'node', tags: { k: 'v' }, user: { id: 1, ip_address: null } })
    expect(event!.exception!.values[0]).toMatchObject({ type: 'TypeError', value: 'bad thing', mechanism: { type: 'generic', handled: true } })
    expect(event!.exception!.values[0]!.stacktrace!.frames.length).toBeGreaterThan(0)
    expect(event!.breadcrumbs![0]!.message).toBe('clicked')
  })

  it('orders cause chains and AggregateError children before the outermost error', async () => {
    const { client, events } = setup()
    const root = new RangeError('root')
    const middle = new Error('middle', { cause: root })
    const outer = new AggregateError([new Error('child a'), middle], 'group')
    client.captureException(outer)
    await client.flush(1000)
    const values = events()[0]!.exception!.values
    expect(values.map((v) => v.value)).toEqual(['root', 'middle', 'child a', 'group'])
    expect(values[3]!.mechanism).toMatchObject({ exception_id: 0, is_exception_group: true })
    expect(values[2]!.mechanism).toMatchObject({ source: 'errors[0]', parent_id: 0 })
    expect(values[0]!.mechanism).toMatchObject({ source: 'cause', parent_id: values[1]!.mechanism!.exception_id })
  })

  it('dedupes the same error twice in a row but not alternating ones', async () => {
    const { client, events } = setup()
    // Same line, same stack: what a handler failing twice in a row produces.
    const [a, b] = [0, 1].map(() => thrown('same')) as [Error, Error]
    client.captureException(a)
    client.captureException(b)
    client.captureException(a) // already captured object: ignored outright
    client.captureMessage('m1')
    client.captureMessage('m1')
    client.captureMessage('m2')
    client.captureMessage('m1')
    await client.flush(1000)
    expect(events().map((e) => e.message ?? e.exception!.values[0]!.value)).toEqual(['same', 'm1', 'm2', 'm1'])
    expect(client.pendingOutcomes()).toEqual({})
  })

  it('applies sampleRate, ignoreErrors, denyUrls, allowUrls and beforeSend, and reports what it dropped', async () => {
    const { client, events, reports } = setup({
      ignoreErrors: ['ResizeObserver loop', /^Script error\.?$/],
      denyUrls: [/extensions\//],
      beforeSend: (event) => (event.message === 'drop me' ? null : { ...event, tags: { ...event.tags, scrubbed: 'yes' } }),
      dedupe: false,
    })
    client.captureException(new Error('ResizeObserver loop limit exceeded'))
    client.captureMessage('Script error.')
    const denied = new Error('from extension')
    denied.stack = 'Error: from extension\n    at f (chrome-extensions/abc/x.js:1:1)'
    client.captureException(denied)
    client.captureMessage('drop me')
    client.captureMessage('keep me')
    // flush waits for every capture to be processed, then sends the client report with the drops.
    expect(await client.flush(1000)).toBe(true)
    expect(events().map((e) => [e.message, e.tags?.scrubbed])).toEqual([['keep me', 'yes']])
    const discarded = reports().flatMap((r) => r.discarded_events)
    expect(discarded).toEqual(expect.arrayContaining([
      { reason: 'event_processor', category: 'error', quantity: 3 },
      { reason: 'before_send', category: 'error', quantity: 1 },
    ]))

    const allow = setup({ allowUrls: ['https://app.example.com'] })
    const foreign = new Error('x')
    foreign.stack = 'Error: x\n    at f (https://cdn.other.com/a.js:1:1)'
    allow.client.captureException(foreign)
    await allow.client.flush(1000)
    expect(allow.events()).toHaveLength(0)

    const sampled = setup({ sampleRate: 0 })
    sampled.client.captureMessage('never')
    await sampled.client.flush(1000)
    expect(sampled.events()).toHaveLength(0)
    expect(sampled.client.pendingOutcomes()).toEqual({})
    expect(sampled.reports()[0]!.discarded_events).toEqual([{ reason: 'sample_rate', category: 'error', quantity: 1 }])
  })

  it('drops and counts when beforeSend throws, without throwing to the caller', async () => {
    const { client, events, reports } = setup({ beforeSend: () => { throw new Error('bug in hook') }, clientReportDelayMs: 60_000 })
    expect(() => client.captureMessage('x')).not.toThrow()
    // flush waits for the capture to be processed: had the event gone out, it would be sent by now.
    expect(await client.flush(1000)).toBe(true)
    expect(events()).toHaveLength(0)
    expect(reports().flatMap((r) => r.discarded_events)).toEqual([{ reason: 'before_send', category: 'error', quantity: 1 }])
  })

  it('asks for the IP only when sendDefaultPii is on, and drops cookies otherwise', async () => {
    const { client, events } = setup()
    client.captureEvent({ message: 'a', request: { url: '/x', cookies: { sid: '1' } } })
    await client.flush(1000)
    expect(events()[0]!.user).toEqual({ ip_address: null })
    expect(events()[0]!.request!.cookies).toBeUndefined()
    const pii = setup({ sendDefaultPii: true })
    pii.client.captureEvent({ message: 'a', user: { id: 3, ip_address: '10.0.0.1' }, request: { cookies: { sid: '1' } } })
    await pii.client.flush(1000)
    expect(pii.events()[0]!.user).toEqual({ id: 3, ip_address: '10.0.0.1' })
    expect(pii.events()[0]!.request!.cookies).toEqual({ sid: '1' })
  })

  it('applies beforeBreadcrumb and keeps at most maxBreadcrumbs', () => {
    const { client } = setup({ beforeBreadcrumb: (b) => (b.category === 'secret' ? null : b) })
    const scope = new Scope(3)
    for (let i = 0; i < 5; i++) client.addBreadcrumb({ message: String(i) }, undefined, scope)
    client.addBreadcrumb({ category: 'secret' }, undefined, scope)
    expect(scope.breadcrumbs.toArray().map((b) => b.message)).toEqual(['2', '3', '4'])
    expect(scope.breadcrumbs.toArray()[0]!.timestamp).toBeGreaterThan(1e9)
  })

  it('stays silent without a DSN and with an invalid one', () => {
    expect(setup({ dsn: undefined }).client.captureMessage('x')).toBeUndefined()
    expect(setup({ dsn: 'nonsense' }).client.enabled).toBe(false)
  })

  it('close flushes and then disables the client', async () => {
    const { client, events } = setup()
    let tornDown = false
    client.onClose(() => void (tornDown = true))
    client.captureMessage('before')
    expect(await client.close(1000)).toBe(true)
    client.captureMessage('after')
    expect(events().map((e) => e.message)).toEqual(['before'])
    expect(tornDown).toBe(true)
  })
})
