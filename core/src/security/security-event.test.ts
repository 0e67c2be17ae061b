import { describe, expect, it } from 'vitest'
import { decodeSecurityMessage, encodeSecurityMessage, maxEventsPerMessage, securityMessages } from './security-message'
import { normalizeSecurityEvent, type NormalizeContext, type SecurityEvent } from './security-event'
import { actionDefaults } from './vocabulary'

const receivedAt = Date.UTC(2026, 5, 1, 12, 0, 0)
const ctx: NormalizeContext = { receivedAt, dataset: 'app' }

function ok(input: unknown, context = ctx): SecurityEvent {
  const result = normalizeSecurityEvent(input, context)
  if (!result.ok) throw new Error(result.reason)
  return result.event
}

describe('normalizeSecurityEvent', () => {
  it('fills ECS defaults from an OWASP action and links related ip and user', () => {
    const event = ok({ event: { action: 'authn_login_fail' }, user: { name: 'alice', id: 'u1' }, source: { ip: '::ffff:203.0.113.9' } })
    expect(event.event).toMatchObject({ kind: 'event', category: ['authentication'], type: ['start'], outcome: 'failure', severity: 'medium', dataset: 'app' })
    expect(event.event.id).toMatch(/^[0-9a-f]{32}$/)
    expect(event.source).toEqual({ ip: '203.0.113.9' })
    expect(event.related).toEqual({ ip: ['203.0.113.9'], user: ['alice', 'u1'], hosts: [] })
    expect(event['@timestamp']).toBe(new Date(receivedAt).toISOString())
  })

  it('keeps what the sender set over the defaults and reads dotted keys', () => {
    const event = ok({ 'event.action': 'authz_fail', 'event.outcome': 'unknown', 'event.severity': 'critical', 'event.id': '0123456789abcdef0123456789ABCDEF', '@timestamp': receivedAt / 1000 - 5, 'http.response.status_code': 403 })
    expect(event.event).toMatchObject({ action: 'authz_fail', outcome: 'unknown', severity: 'critical', id: '0123456789abcdef0123456789abcdef', type: ['denied'] })
    expect(event['@timestamp']).toBe(new Date(receivedAt - 5000).toISOString())
    expect(event.http).toEqual({ response: { status_code: 403 } })
  })

  it('dates events far in the past or future on receipt', () => {
    expect(ok({ event: { action: 'x' }, '@timestamp': '2001-01-01T00:00:00Z' })['@timestamp']).toBe(new Date(receivedAt).toISOString())
    expect(ok({ event: { action: 'x' }, '@timestamp': receivedAt + 6 * 60_000 })['@timestamp']).toBe(new Date(receivedAt).toISOString())
  })

  it('uses the connection address when the event names no source ip', () => {
    expect(ok({ event: { action: 'x' } }, { ...ctx, clientIp: '198.51.100.4' }).source).toEqual({ ip: '198.51.100.4' })
    expect(ok({ event: { action: 'x' }, source: { ip: '2001:DB8::1' } }, { ...ctx, clientIp: '198.51.100.4' }).source).toEqual({ ip: '2001:db8::1' })
  })

  it('keeps unknown fields as flat attributes, bounded', () => {
    const event = ok({ event: { action: 'x' }, host: { name: 'web-1', os: { family: 'linux' } }, attributes: { 'attack.kind': 'sql', n: 3 }, junk: [{ a: 1 }] })
    expect(event.attributes).toEqual({ 'attack.kind': 'sql', n: 3, 'host.name': 'web-1', 'host.os.family': 'linux' })
    const many = ok({ event: { action: 'x' }, attributes: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i])) })
    expect(Object.keys(many.attributes)).toHaveLength(64)
  })

  it.each([
    [null, 'a security event must be a JSON object'],
    [{}, 'event.action is required'],
    [{ event: { action: 'Login Failed' } }, 'event.action must match'],
    [{ event: { action: 'x', outcome: 'maybe' } }, 'event.outcome must be one of'],
    [{ event: { action: 'x', category: ['nope'] } }, 'event.category must be one of'],
    [{ event: { action: 'x', id: 'xyz' } }, 'event.id must be 32 hex digits'],
    [{ event: { action: 'x' }, source: { ip: '999.1.1.1' } }, 'source.ip is not an IP address'],
    [{ event: { action: 'x' }, '@timestamp': 'yesterday' }, '@timestamp is not a date'],
    [{ event: { action: 'x' }, user: 'bob' }, 'user must be an object'],
    [{ event: { action: 'x' }, http: { response: { status_code: 42 } } }, 'status_code must be an HTTP status'],
    [{ event: { action: 'x' }, related: { ip: Array.from({ length: 33 }, () => '10.0.0.1') } }, 'more than 32 values'],
  ])('refuses %j with a reason', (input, reason) => {
    const result = normalizeSecurityEvent(input, ctx)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.reason).toContain(reason)
  })
})

describe('actionDefaults', () => {
  it('knows the OWASP families and browser reports', () => {
    expect(actionDefaults('authn_login_success')).toMatchObject({ outcome: 'success', severity: 'info', category: ['authentication'] })
    expect(actionDefaults('authn_impossible_travel')).toMatchObject({ kind: 'alert', severity: 'high' })
    expect(actionDefaults('malicious_attack_tool')).toMatchObject({ category: ['intrusion_detection', 'web'], severity: 'high', outcome: 'failure' })
    expect(actionDefaults('session_created')).toMatchObject({ category: ['session'], type: ['start'] })
    expect(actionDefaults('csp_violation')).toMatchObject({ category: ['web'], type: ['denied'], severity: 'medium' })
    expect(actionDefaults('input_validation_fail:(name,email)')).toMatchObject({ severity: 'medium', outcome: 'failure' })
    expect(actionDefaults('custom_thing')).toMatchObject({ category: [], type: ['info'], outcome: 'unknown' })
  })
})

describe('security bus message', () => {
  it('round-trips, splits large submissions and refuses other versions', () => {
    const events = Array.from({ length: maxEventsPerMessage + 1 }, () => ok({ event: { action: 'x' } }))
    const [first, second] = securityMessages('7', receivedAt, events)
    expect(first!.events).toHaveLength(maxEventsPerMessage)
    expect(second!.events).toHaveLength(1)
    expect(decodeSecurityMessage(encodeSecurityMessage(second!))).toEqual({ ok: true, message: second })
    expect(decodeSecurityMessage(new TextEncoder().encode(JSON.stringify({ ...second, v: 2 })))).toEqual({ ok: false, reason: 'unsupported schema version 2' })
    expect(decodeSecurityMessage(new TextEncoder().encode(JSON.stringify({ ...second, events: [{}] }))).ok).toBe(false)
  })
})
