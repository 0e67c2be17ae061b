/**
 * Message patterns over a running Faultline: events whose messages differ only in ids and numbers
 * share a template, the patterns API groups them with counts, the issues they span, series and
 * their events, and template ids stay the same after a restart on the same data directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendEvents, sentryEvent, type EventShape } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'

let f: TestFaultline
const minute = 60_000
const base = Date.now() - 30 * minute

const timeoutTemplate = 'timeout after <*> for user <*>'
const diskTemplate = 'disk full on volume <*>'
const cardTemplate = 'payment declined for card ending <*>'
const jobTemplate = 'Job <*> finished with errors'

async function send(target: TestFaultline, shapes: EventShape[]): Promise<void> {
  const statuses = await sendEvents(target.url, target.projectId, target.publicKey, shapes.map(sentryEvent))
  expect(statuses.every((s) => s === 200)).toBe(true)
}

/** Waits until the patterns account for `total` events and their texts are final, then returns them. */
async function patternsWithTotal(target: TestFaultline, total: number, query = 'limit=100'): Promise<any[]> {
  return target.waitFor(async () => {
    const { body } = await target.api('GET', `/projects/${target.projectId}/patterns?${query}`)
    const counted = body.data.reduce((n: number, p: any) => n + p.count, 0) === total
    return counted && body.data.some((p: any) => p.template === jobTemplate) ? body.data : undefined
  })
}

const byTemplate = (patterns: any[], template: string) => patterns.find((p) => p.template === template)

async function issueIdsByTitle(target: TestFaultline): Promise<Map<string, string>> {
  const { body } = await target.api('GET', `/projects/${target.projectId}/issues?status=all&limit=100`)
  return new Map(body.data.map((i: any) => [i.title, i.id]))
}

const jobs = ['nightly-export', 'weekly-export', 'hourly-sync', 'daily-report']
const total = 10

beforeAll(async () => {
  f = await startFaultline({}, { keepDataDir: true })
  await send(f, [
    // One template across three issues: two stacks and a plain message.
    { type: 'TimeoutError', value: 'timeout after 3012 ms for user 88', stack: ['fetchUser'], timestamp: base },
    { type: 'TimeoutError', value: 'timeout after 17 ms for user 4', stack: ['fetchOrder'], timestamp: base + minute },
    { message: 'timeout after 250 ms for user 7', timestamp: base + 2 * minute },
    { type: 'DiskError', value: 'disk full on volume 3', stack: ['write'], timestamp: Date.now() - 3 * 3_600_000 },
    { type: 'DiskError', value: 'disk full on volume 12', stack: ['write'], timestamp: base + 3 * minute },
    // Word variables: the template generalizes once a fourth word shows the position varies.
    ...jobs.map((job, i) => ({ message: `Job ${job} finished with errors`, timestamp: base + (4 + i) * minute })),
    { type: 'CardError', value: 'payment declined for card ending 4242', stack: ['charge'], timestamp: base + 8 * minute },
  ])
  await patternsWithTotal(f, total)
}, 90_000)

afterAll(() => f?.stop())

describe('patterns', () => {
  it('groups messages that differ in ids and numbers into templates with counts and times', async () => {
    const patterns = await patternsWithTotal(f, total, 'sort=count')
    expect(patterns.map((p) => p.count)).toEqual([4, 3, 2, 1])
    expect(Object.fromEntries(patterns.map((p) => [p.template, p.count]))).toEqual({
      [timeoutTemplate]: 3,
      [jobTemplate]: 4,
      [diskTemplate]: 2,
      [cardTemplate]: 1,
    })
    const timeout = byTemplate(patterns, timeoutTemplate)
    expect(timeout.id).toMatch(/^[0-9a-f]{16}$/)
    expect(timeout.firstSeen).toBe(new Date(base).toISOString())
    expect(timeout.lastSeen).toBe(new Date(base + 2 * minute).toISOString())
    expect(new Set(patterns.map((p) => p.id)).size).toBe(4)
  })

  it('lists the issues each pattern spans', async () => {
    const patterns = await patternsWithTotal(f, total)
    const issues = await issueIdsByTitle(f)
    const spanned = (template: string) => byTemplate(patterns, template).issues.map((i: any) => i.id).sort()
    const timeoutIssues = [...issues].filter(([title]) => title.includes('timeout after')).map(([, id]) => id)
    expect(timeoutIssues).toHaveLength(3)
    expect(spanned(timeoutTemplate)).toEqual(timeoutIssues.sort())
    expect(spanned(jobTemplate)).toEqual(jobs.map((job) => issues.get(`Job ${job} finished with errors`)).sort())
    expect(spanned(diskTemplate)).toHaveLength(1)
    expect(byTemplate(patterns, timeoutTemplate).issues[0]).toMatchObject({ status: 'unresolved' })
  })

  it('returns a count series for the stats period', async () => {
    const daily = await patternsWithTotal(f, total, 'stats=24h')
    const disk = byTemplate(daily, diskTemplate)
    expect(disk.stats).toHaveLength(24)
    expect(disk.stats.filter(([, n]: [string, number]) => n > 0)).toHaveLength(2)
    expect(disk.stats.reduce((n: number, [, c]: [string, number]) => n + c, 0)).toBe(2)
    const hourly = await patternsWithTotal(f, total, 'stats=1h')
    const hourlyDisk = byTemplate(hourly, diskTemplate)
    expect(hourlyDisk.stats).toHaveLength(60)
    expect(hourlyDisk.stats.reduce((n: number, [, c]: [string, number]) => n + c, 0)).toBe(1)
    expect(byTemplate(hourly, timeoutTemplate).stats.reduce((n: number, [, c]: [string, number]) => n + c, 0)).toBe(3)
  })

  it('sorts by last seen and pages with a cursor', async () => {
    const recent = await patternsWithTotal(f, total, 'sort=last_seen')
    expect(recent.map((p) => p.template)).toEqual([cardTemplate, jobTemplate, diskTemplate, timeoutTemplate])
    const first = await f.api('GET', `/projects/${f.projectId}/patterns?sort=last_seen&limit=3`)
    expect(first.body.data.map((p: any) => p.id)).toEqual(recent.slice(0, 3).map((p) => p.id))
    const second = await f.api('GET', `/projects/${f.projectId}/patterns?sort=last_seen&limit=3&cursor=${first.body.nextCursor}`)
    expect(second.body.data.map((p: any) => p.id)).toEqual([recent[3].id])
    expect(second.body.nextCursor).toBeNull()
    const byCount = await f.api('GET', `/projects/${f.projectId}/patterns?sort=count&limit=1`)
    const rest = await f.api('GET', `/projects/${f.projectId}/patterns?sort=count&limit=10&cursor=${byCount.body.nextCursor}`)
    expect([...byCount.body.data, ...rest.body.data].map((p: any) => p.count)).toEqual([4, 3, 2, 1])
  })

  it("returns a pattern's events newest first with a cursor", async () => {
    const timeout = byTemplate(await patternsWithTotal(f, total), timeoutTemplate)
    const path = `/projects/${f.projectId}/patterns/${timeout.id}/events`
    const all = await f.api('GET', path)
    expect(all.status).toBe(200)
    expect(all.body.templateId).toBe(timeout.id)
    expect(all.body.template).toBe(timeoutTemplate)
    expect(all.body.data.map((e: any) => e.timestamp)).toEqual([base + 2 * minute, base + minute, base].map((t) => new Date(t).toISOString()))
    expect(all.body.data.every((e: any) => e.templateId === timeout.id && /^[0-9a-f]{32}$/.test(e.eventId))).toBe(true)
    expect(all.body.data.map((e: any) => e.issueId).sort()).toEqual(timeout.issues.map((i: any) => i.id).sort())
    const page = await f.api('GET', `${path}?limit=2`)
    expect(page.body.data).toHaveLength(2)
    const next = await f.api('GET', `${path}?limit=2&cursor=${page.body.nextCursor}`)
    expect(next.body.data.map((e: any) => e.eventId)).toEqual([all.body.data[2].eventId])
    expect(next.body.nextCursor).toBeNull()
  })

  it('answers which template one event belongs to, through merges, with its values', async () => {
    const job = byTemplate(await patternsWithTotal(f, total), jobTemplate)
    const events = (await f.api('GET', `/projects/${f.projectId}/patterns/${job.id}/events`)).body.data
    const weekly = events.find((e: any) => e.message === 'Job weekly-export finished with errors')
    const { status, body } = await f.api('GET', `/projects/${f.projectId}/events/${weekly.eventId}/pattern`)
    expect(status).toBe(200)
    // Stored with the template it started, now part of the merged one.
    expect(body).toMatchObject({ eventId: weekly.eventId, templateId: job.id, template: jobTemplate, storedTemplate: 'Job weekly-export finished with errors', variables: ['weekly-export'] })
    expect(body.storedTemplateId).not.toBe(job.id)
    const timeout = (await f.api('GET', `/projects/${f.projectId}/patterns/${byTemplate(await patternsWithTotal(f, total), timeoutTemplate).id}/events`)).body.data[0]
    expect((await f.api('GET', `/projects/${f.projectId}/events/${timeout.eventId}/pattern`)).body.variables).toEqual(['250 ms', '7'])
    expect((await f.api('GET', `/projects/${f.projectId}/events/${'0'.repeat(32)}/pattern`)).status).toBe(404)
    expect((await f.api('GET', `/projects/${f.projectId}/events/xyz/pattern`)).status).toBe(400)
  })

  it('answers bad input with 400 and unknown things with 404', async () => {
    const path = `/projects/${f.projectId}/patterns`
    for (const query of ['sort=random', 'limit=0', 'limit=101', 'stats=7y', 'cursor=%%%', `cursor=${Buffer.from('["x","y"]').toString('base64url')}`]) {
      const { status, body } = await f.api('GET', `${path}?${query}`)
      expect(status, query).toBe(400)
      expect(body.detail).toBeTruthy()
    }
    expect((await f.api('GET', `${path}/not-a-template/events`)).status).toBe(400)
    expect((await f.api('GET', `${path}/ffffffffffffffff/events`)).status).toBe(404)
    expect((await f.api('GET', `${path}/ffffffffffffffff/events?limit=0`)).status).toBe(400)
    expect((await f.api('GET', '/projects/999/patterns')).status).toBe(404)
    expect((await f.api('GET', '/projects/abc/patterns')).status).toBe(400)
  })
})

describe('after a restart on the same data directory', () => {
  it('gives new events of known templates the same template ids', async () => {
    const before = await patternsWithTotal(f, total)
    const dataDir = f.dataDir
    await f.stop()
    f = await startFaultline({}, { dataDir })
    await send(f, [
      { type: 'TimeoutError', value: 'timeout after 99 ms for user 5', stack: ['fetchUser'] },
      // Only the saved miner knows this variant belongs to the generalized template.
      { message: 'Job monthly-audit finished with errors' },
    ])
    const after = await patternsWithTotal(f, total + 2)
    expect(after).toHaveLength(4)
    for (const template of [timeoutTemplate, jobTemplate]) {
      expect(byTemplate(after, template).id).toBe(byTemplate(before, template).id)
    }
    expect(byTemplate(after, timeoutTemplate).count).toBe(4)
    expect(byTemplate(after, jobTemplate).count).toBe(5)
    const jobEvents = await f.api('GET', `/projects/${f.projectId}/patterns/${byTemplate(before, jobTemplate).id}/events`)
    expect(jobEvents.body.data[0]).toMatchObject({ message: 'Job monthly-audit finished with errors', template: jobTemplate })
  }, 90_000)
})
