/**
 * Privacy over a running Faultline: settings through the API (validated, versioned, applied to
 * new events without a restart), erasure of one end user end to end, the data-subject export,
 * and retention (events older than a project's retention disappear, with their issues).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processorTierOf } from '@faultline/processor'
import { materializeRetention } from '@faultline/core/retention'
import { sendEvents, sentryEvent } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'

let f: TestFaultline
const DAY = 86_400_000

async function send(events: Record<string, unknown>[]): Promise<void> {
  expect(await sendEvents(f.url, f.projectId, f.publicKey, events)).toEqual(events.map(() => 200))
}

async function rawRows(where = '1'): Promise<Record<string, unknown>[]> {
  const { client, database } = f.server.platform.eventStore
  return (await client.query({ query: `SELECT * FROM ${database}.error_events WHERE project_id = ${Number(f.projectId)} AND ${where}`, format: 'JSONEachRow' })).json()
}

/** Waits until ClickHouse holds `count` events of the project matching `where`. */
async function stored(count: number, where = '1'): Promise<Record<string, unknown>[]> {
  return f.waitFor(async () => {
    const rows = await rawRows(where)
    return rows.length === count ? rows : undefined
  })
}

function userEvent(user: Record<string, unknown>, type: string, value = `failed for ${String(user.id)}`): Record<string, unknown> {
  return { ...sentryEvent({ type, value }), user }
}

beforeAll(async () => {
  f = await startFaultline()
}, 60_000)

afterAll(() => f?.stop())

describe('privacy settings through the API', () => {
  const path = () => `/projects/${f.projectId}/privacy`

  it('serves the defaults as version 0: both packs on, addresses and emails hashed, 90 days', async () => {
    const { status, body } = await f.api('GET', path())
    expect(status).toBe(200)
    expect(body).toMatchObject({ version: 0, updatedAt: null, settings: { packs: { default: true, healthcare: true }, ipAddresses: 'hash', userEmail: 'hash', retentionDays: 90 } })
    const packs = await f.api('GET', '/privacy/packs')
    expect(packs.body.data.map((p: any) => p.name)).toEqual(['default', 'healthcare'])
    expect(packs.body.data[1].rules.map((r: any) => r.id)).toContain('hl7v2-segments')
  })

  it('refuses invalid settings with a reason', async () => {
    const bad: [unknown, RegExp][] = [
      [{ settings: { retentionDays: 0 } }, /retentionDays/],
      [{ settings: { ipAddresses: 'sometimes' } }, /ipAddresses/],
      [{ settings: { customRules: [{ id: 'backtracking', value: { pattern: '(a+)\\1' } }] } }, /linear time/],
      [{ settings: { customRules: [{ id: 'empty', value: { pattern: 'x*' } }] } }, /empty string/],
      [{ settings: { customRules: [{ id: 'both', keys: { exact: ['a'] }, value: { detector: 'email' } }] } }, /exactly one/],
      [{ settings: { customRules: [{ id: 'Bad Id', keys: { exact: ['a'] } }] } }, /customRules/],
      [{ settings: { unknown: true } }, /unknown|Unrecognized/i],
      [{ settings: {}, expectedVersion: -1 }, /expectedVersion/],
    ]
    for (const [body, reason] of bad) {
      const response = await f.api('PUT', path(), body)
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect(response.body.detail).toMatch(reason)
    }
    expect((await f.api('PUT', '/projects/999/privacy', { settings: {} })).status).toBe(404)
    expect((await f.api('GET', path())).body.version).toBe(0)
  })

  it('stores versions, refuses a stale one with 409, and lists the history', async () => {
    const first = await f.api('PUT', path(), { expectedVersion: 0, settings: { disabledRules: ['emails'] } })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ version: 1, updatedBy: expect.stringContaining('token:tests') })
    const stale = await f.api('PUT', path(), { expectedVersion: 0, settings: {} })
    expect(stale.status).toBe(409)
    expect(stale.body.detail).toMatch(/version 1/)
    expect((await f.api('PUT', path(), { expectedVersion: 1, settings: {} })).body.version).toBe(2)
    const history = await f.api('GET', `${path()}/history`)
    expect(history.body.data.map((h: any) => [h.version, h.settings.disabledRules])).toEqual([[2, []], [1, ['emails']]])
    const audited = await f.server.platform.audit.search({ action: 'sys_setting_changed', targetType: 'privacy_settings', targetId: f.projectId })
    expect(audited.map((a) => a.detail?.version).sort()).toEqual([1, 2])
  })

  it('applies a new rule to the next event without a restart', async () => {
    await send([{ ...sentryEvent({ type: 'RuleError', value: 'first' }), extra: { diagnosis: 'J45.909' } }])
    await stored(1, "exception_value = 'first'")
    const before = (await rawRows("exception_value = 'first'"))[0]!
    expect(JSON.parse(before.payload as string).extra).toEqual({ diagnosis: 'J45.909' })

    const change = await f.api('PUT', path(), { settings: { customRules: [{ id: 'diagnoses', keys: { contains: ['diagnosis'] }, action: { type: 'hash' } }] } })
    expect(change.status).toBe(200)
    await send([{ ...sentryEvent({ type: 'RuleError', value: 'second' }), extra: { diagnosis: 'J45.909' } }])
    const [after] = await stored(1, "exception_value = 'second'")
    expect(JSON.parse(after!.payload as string).extra.diagnosis).toMatch(/^diagnoses:[0-9a-f]{12}$/)
    await f.api('PUT', path(), { settings: {} })
  })
})

describe('erasure and export of one end user', () => {
  // An id without digits stays a constant token of the mined template, a sample naming her.
  const alice = { id: 'alice.liddell', email: 'Alice.Liddell@example.org', ip_address: '198.51.100.23' }
  const bob = { id: 'bob-1188', email: 'bob@example.org', ip_address: '198.51.100.99' }

  beforeAll(async () => {
    // Her own message has a length of its own, so the miner keeps it a template apart (naming her).
    await send([userEvent(alice, 'AliceOnlyError', 'the chart of alice.liddell could not be opened'), userEvent(alice, 'SharedError'), userEvent(bob, 'SharedError'), userEvent(bob, 'BobOnlyError')])
    await stored(4, "exception_type IN ('AliceOnlyError', 'SharedError', 'BobOnlyError')")
    // The processor saves template samples a few seconds after they change.
    await f.waitFor(async () => JSON.stringify(await templateSamples()).includes('alice.liddell'))
  }, 60_000)

  async function templateSamples(): Promise<unknown> {
    const miners = await f.server.platform.metadata.collection({ name: 'template_miners', indexes: [] })
    return miners.get(f.projectId)
  }

  it('stores emails and addresses only as keyed hashes', async () => {
    const rows = await rawRows("exception_type = 'AliceOnlyError'")
    expect(rows[0]).toMatchObject({ user_id: 'alice.liddell', user_email: expect.stringMatching(/^email:[0-9a-f]{12}$/), user_ip: expect.stringMatching(/^ip:[0-9a-f]{12}$/) })
    expect(JSON.stringify(rows)).not.toMatch(/liddell@example|198\.51\.100\.23/i)
  })

  it('exports everything held about a person as NDJSON', async () => {
    const response = await fetch(`${f.url}/api/v1/projects/${f.projectId}/privacy/exports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice.liddell@EXAMPLE.org' }),
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/x-ndjson')
    const lines = (await response.text()).trim().split('\n').map((l) => JSON.parse(l))
    expect(lines.filter((l) => l.type === 'event').map((l) => l.event.exception_type).sort()).toEqual(['AliceOnlyError', 'SharedError'])
    expect(lines.filter((l) => l.type === 'issue')).toHaveLength(2)
    expect(lines.at(-1)).toMatchObject({ type: 'summary', events: 2, issues: 2 })
    expect((await f.api('POST', `/projects/${f.projectId}/privacy/exports`, { name: 'alice' })).status).toBe(400)
  })

  it('erases a person from events, issues and the API, leaving other users untouched', async () => {
    const issuesBefore = (await f.api('GET', `/projects/${f.projectId}/issues?status=all&limit=100`)).body.data
    const aliceOnly = issuesBefore.find((i: any) => i.type === 'AliceOnlyError')
    const aliceEventId = String((await rawRows("exception_type = 'AliceOnlyError'"))[0]!.event_id).replaceAll('-', '')

    const requested = await f.api('POST', `/projects/${f.projectId}/privacy/erasures`, { email: 'alice.liddell@example.org', userId: 'alice.liddell' })
    expect(requested.status).toBe(202)
    expect(JSON.stringify(requested.body)).not.toMatch(/alice/i)
    const done = await f.waitFor(async () => {
      const { body } = await f.api('GET', `/projects/${f.projectId}/privacy/erasures/${requested.body.id}`)
      return body.status === 'running' ? undefined : body
    }, 60_000)
    expect(done).toMatchObject({ status: 'done', report: { eventsFound: 2, eventsRemaining: 0, issuesDeleted: 1, partsToDo: 0 } })
    expect(done.report.templatesRedacted).toBeGreaterThan(0)

    expect(await rawRows("user_id = 'alice.liddell' OR exception_type = 'AliceOnlyError' OR position(template, 'alice.liddell') > 0")).toEqual([])
    expect(JSON.stringify(await templateSamples())).not.toContain('alice.liddell')
    expect((await rawRows("user_id = 'bob-1188'")).map((r) => r.exception_type).sort()).toEqual(['BobOnlyError', 'SharedError'])
    expect((await f.api('GET', `/projects/${f.projectId}/events/${aliceEventId}`)).status).toBe(404)
    expect((await f.api('GET', `/projects/${f.projectId}/issues/${aliceOnly.id}`)).status).toBe(404)
    const shared = issuesBefore.find((i: any) => i.type === 'SharedError')
    expect((await f.api('GET', `/projects/${f.projectId}/issues/${shared.id}/events`)).body.data).toHaveLength(1)
    const list = await f.api('GET', `/projects/${f.projectId}/privacy/erasures`)
    expect(list.body.data[0]).toMatchObject({ id: requested.body.id, requestedBy: expect.stringContaining('token:tests'), subject: { email: expect.stringMatching(/^email:/), userId: expect.stringMatching(/^user:/) } })
    expect((await f.api('GET', `/projects/${f.projectId}/privacy/erasures/${'0'.repeat(24)}`)).status).toBe(404)
    const [audited] = await f.server.platform.audit.search({ action: 'sensitive_delete', targetType: 'end_user' })
    expect(audited).toMatchObject({ outcome: 'success', actor: { type: 'token', name: 'tests' }, detail: { erasureId: requested.body.id } })
    expect(JSON.stringify(audited)).not.toMatch(/alice/i)
  })
})

describe('retention', () => {
  it('drops events older than the project retention, and issues that only pointed at them', async () => {
    await send([sentryEvent({ type: 'AncientError', value: 'old', timestamp: Date.now() - 10 * DAY }), sentryEvent({ type: 'FreshError', value: 'new' })])
    await stored(2, "exception_type IN ('AncientError', 'FreshError')")
    const changed = await f.api('PUT', `/projects/${f.projectId}/privacy`, { settings: { retentionDays: 7 } })
    expect(changed.body.settings.retentionDays).toBe(7)

    // TTLs act at merges; forcing them now stands in for the days a test cannot wait.
    await materializeRetention(f.server.platform.eventStore)
    expect((await rawRows("exception_type IN ('AncientError', 'FreshError')")).map((r) => r.exception_type)).toEqual(['FreshError'])
    const report = await processorTierOf(f.server.platform)!.retention.runOnce()
    expect(report.issuesRemoved).toBe(1)
    const types = (await f.api('GET', `/projects/${f.projectId}/issues?status=all&limit=100`)).body.data.map((i: any) => i.type)
    expect(types).toContain('FreshError')
    expect(types).not.toContain('AncientError')
  })
})
