/**
 * The issue's "done when": an unmodified @sentry/node program reports to Faultline, and the API
 * lists its errors as issues grouped the way Sentry groups them, with stack traces, tags and
 * breadcrumbs intact and secrets scrubbed.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFaultline, type TestFaultline } from './support/faultline'

const run = promisify(execFile)
const app = fileURLToPath(new URL('./fixtures/sentry-app/app.mjs', import.meta.url))

describe('unmodified @sentry/node against Faultline', () => {
  let faultline: TestFaultline
  let issues: any[]

  beforeAll(async () => {
    faultline = await startFaultline()
    const { stdout } = await run(process.execPath, [app], { env: { ...process.env, FAULTLINE_DSN: faultline.dsn, DB_PASSWORD: 'hunter2', CARD_NUMBER: '4111 1111 1111 1111' }, timeout: 120_000 })
    expect(JSON.parse(stdout)).toEqual({ flushed: true })
    issues = await faultline.waitFor(async () => {
      const { body } = await faultline.api('GET', `/projects/${faultline.projectId}/issues?status=all&limit=100`)
      const total = body.data.reduce((sum: number, issue: any) => sum + issue.count, 0)
      return total === 5 ? body.data : undefined
    })
  })

  afterAll(() => faultline?.stop())

  it('groups the same error from the same code into one issue and others apart', () => {
    expect(issues).toHaveLength(3)
    const byTitle = Object.fromEntries(issues.map((i) => [i.title, i]))
    const charge = issues.find((i) => i.type === 'TypeError' && i.value.startsWith('Cannot charge'))
    expect(charge).toMatchObject({ count: 3, userCount: 1, level: 'error', environments: ['staging'], releases: ['shop@1.4.2'], groupingStrategy: 'in-app-stacktrace' })
    expect(charge.culprit).toContain('chargeCard')
    const inventory = issues.find((i) => i.type === 'TypeError' && i !== charge)
    expect(inventory.count).toBe(1)
    expect(byTitle['Payment provider timeout after 3012 ms']).toMatchObject({ count: 1, level: 'warning' })
  })

  it('keeps stack traces with context lines, tags and breadcrumbs, and scrubs secrets', async () => {
    const charge = issues.find((i) => i.value?.startsWith('Cannot charge'))
    const { status, body } = await faultline.api('GET', `/projects/${faultline.projectId}/issues/${charge.id}`)
    expect(status).toBe(200)
    const event = body.latestEvent.payload
    const frames = event.exceptions.at(-1).frames
    const throwing = frames.at(-1)
    expect(throwing).toMatchObject({ function: 'chargeCard', inApp: true })
    expect(throwing.filename).toContain('checkout.mjs')
    expect(throwing.contextLine).toContain('throw new TypeError')
    expect(event.tags.region).toBe('eu-west-1')
    expect(event.breadcrumbs.some((b: any) => b.message === 'user signed in')).toBe(true)
    expect(body.tags.find((t: any) => t.key === 'region').topValues).toEqual([{ value: 'eu-west-1', count: 3 }])

    const serialized = JSON.stringify(body)
    expect(serialized).not.toContain('hunter2')
    expect(serialized).not.toContain('4111 1111 1111 1111')
    expect(serialized).not.toContain('jane.doe@example.com')
    expect(event.extra.password).toBe('[Filtered]')
  })

  it("lists an issue's events and returns each in full", async () => {
    const charge = issues.find((i) => i.value?.startsWith('Cannot charge'))
    const { body } = await faultline.api('GET', `/projects/${faultline.projectId}/issues/${charge.id}/events?limit=2`)
    expect(body.data).toHaveLength(2)
    expect(body.nextCursor).toBeTruthy()
    const rest = await faultline.api('GET', `/projects/${faultline.projectId}/issues/${charge.id}/events?limit=2&cursor=${body.nextCursor}`)
    expect(rest.body.data).toHaveLength(1)
    const ids = [...body.data, ...rest.body.data].map((e: any) => e.eventId)
    expect(new Set(ids).size).toBe(3)
    const one = await faultline.api('GET', `/projects/${faultline.projectId}/events/${ids[0]}`)
    expect(one.body).toMatchObject({ eventId: ids[0], issueId: charge.id })
  })
})
