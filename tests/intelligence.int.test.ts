/**
 * Exception intelligence end to end: events through ingest and the processor, the live anomaly
 * job run for the last minute, then anomaly scores, similar issues, clusters, forecasts,
 * backtests and root-cause hints through the API.
 *
 * The story: a database timeout surfaces in two services (orders and billing) after release
 * api@2.0, in region eu-west, and spikes in the last three minutes; an unrelated render error
 * ticks along in every region since api@1.9.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processorTierOf } from '@faultline/processor'
import { rollupTotals } from '@faultline/core/event-store'
import { sendEvents, sentryEvent, type EventShape } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'

const minute = 60_000
let f: TestFaultline
let base: string
/** The last completed minute when the test started: the spike's last minute and the one scored. */
let scored: number
const ids = { orders: '', billing: '', render: '' }

const timeout = (service: string): EventShape => ({
  type: 'ConnectionTimeoutError',
  value: 'connection to db-primary timed out after 3000 ms',
  stack: [`${service}Handler`, 'queryDb', 'pgConnect'],
  tags: { region: 'eu-west', service },
})
const render: EventShape = { type: 'TypeError', value: "Cannot read properties of undefined (reading 'title')", stack: ['renderPage', 'renderHeader'] }

beforeAll(async () => {
  f = await startFaultline()
  base = `/projects/${f.projectId}`
  scored = Math.floor(Date.now() / minute) * minute - minute
  const shapes: EventShape[] = []
  const at = (back: number, second = 10) => scored - back * minute + second * 1000
  const release = (back: number) => (back >= 60 ? 'api@1.9' : 'api@2.0')
  for (let back = 180; back >= 0; back--) {
    if (back % 4 === 0) shapes.push({ ...render, release: release(back), tags: { region: ['us-east', 'ap-south', 'eu-west'][back % 3]! }, timestamp: at(back) })
    if (back < 60 && back >= 3 && back % 10 === 0) {
      shapes.push({ ...timeout('orders'), release: release(back), timestamp: at(back, 20) })
      shapes.push({ ...timeout('billing'), release: release(back), timestamp: at(back, 30) })
    }
    if (back < 3) {
      for (let k = 0; k < 20; k++) shapes.push({ ...timeout('orders'), release: 'api@2.0', timestamp: at(back, 1 + k) })
      for (let k = 0; k < 15; k++) shapes.push({ ...timeout('billing'), release: 'api@2.0', timestamp: at(back, 30 + k) })
    }
  }
  const statuses = await sendEvents(f.url, f.projectId, f.publicKey, shapes.map(sentryEvent))
  expect(statuses.every((s) => s === 200)).toBe(true)
  const issues = await f.waitFor(async () => {
    const { body } = await f.api('GET', `${base}/issues?limit=100`)
    return body.data.reduce((n: number, i: any) => n + i.count, 0) === shapes.length ? body.data : undefined
  }, 60_000)
  ids.orders = issues.find((i: any) => i.culprit?.includes('ordersHandler') || i.title.includes('ordersHandler'))?.id
  ids.billing = issues.find((i: any) => i.culprit?.includes('billingHandler') || i.title.includes('billingHandler'))?.id
  ids.render = issues.find((i: any) => i.title.startsWith('TypeError'))?.id
  const timeouts = issues.filter((i: any) => i.title.startsWith('ConnectionTimeoutError'))
  expect(timeouts).toHaveLength(2)
  // Culprits name the innermost frame (shared); tell the services apart by their counts.
  if (!ids.orders || !ids.billing) {
    const [more, fewer] = [...timeouts].sort((a: any, b: any) => b.count - a.count)
    ids.orders = more.id
    ids.billing = fewer.id
  }
  expect(ids.render).toBeTruthy()
  // Issue counts are kept before the batch's rollups are refreshed: wait for the rollups the job reads.
  await f.waitFor(async () => {
    const totals = await rollupTotals(f.server.platform.eventStore, f.projectId)
    return totals.projectMinute === shapes.length && totals.fingerprintMinute === shapes.length ? totals : undefined
  }, 60_000)
  const job = processorTierOf(f.server.platform)?.anomalies
  if (!job) throw new Error('the server runs no processor tier')
  // The job runs each minute of the burst, as it would have live.
  for (const m of [scored - 2 * minute, scored - minute, scored]) {
    const report = await job.runOnce(m + minute + 30_000)
    expect(report).toMatchObject({ minute: m, projects: 1 })
  }
}, 120_000)

afterAll(() => f?.stop())

describe('anomaly scores', () => {
  it('flags the spiking issue at the burst, with what drove the score', async () => {
    const { status, body } = await f.api('GET', `${base}/anomalies?series=issue&issueId=${ids.orders}&since=${scored - 10 * minute}`)
    expect(status).toBe(200)
    expect(body).toMatchObject({ series: 'issue', seriesId: ids.orders })
    const point = body.points.find((p: any) => Date.parse(p.minute) === scored - 2 * minute)
    expect(point).toMatchObject({ value: 20, anomalous: true })
    // Scored by the detector through the shipped ONNX combiner, and the row says which.
    expect(point.modelVersion).toMatch(new RegExp(`^${body.detectorVersion}\\+anomaly-combiner-\\d+#[0-9a-f]{8}$`))
    expect(point.score).toBeGreaterThanOrEqual(body.threshold)
    expect(point.drivers).toHaveLength(1)
    expect(point.drivers[0]).toMatchObject({ driver: expect.any(String), distance: expect.any(Number), p: expect.any(Number) })
    expect(point.drivers[0].p).toBeLessThan(1e-4)
    expect(body.points.find((p: any) => Date.parse(p.minute) === scored)).toMatchObject({ value: 20 })
  })

  it('scores the project series and leaves the steady issue unflagged', async () => {
    const project = (await f.api('GET', `${base}/anomalies?series=project`)).body
    expect(project.points.find((p: any) => Date.parse(p.minute) === scored)).toMatchObject({ value: 20 + 15 + 1 })
    const steady = (await f.api('GET', `${base}/anomalies?series=issue&issueId=${ids.render}`)).body
    for (const p of steady.points) expect(p.anomalous).toBe(false)
  })

  it('refuses bad input', async () => {
    expect((await f.api('GET', `${base}/anomalies?series=issue`)).status).toBe(400)
    expect((await f.api('GET', `${base}/anomalies?series=trace`)).status).toBe(400)
    expect((await f.api('GET', `${base}/anomalies?series=issue&issueId=999999`)).status).toBe(404)
    expect((await f.api('GET', `/projects/999999/anomalies`)).status).toBe(404)
    expect((await f.api('GET', `${base}/anomalies?since=0&until=${Date.now()}`)).status).toBe(400)
  })
})

describe('similar issues and clusters', () => {
  it('finds the same failing code path in the other service, with the shared features', async () => {
    const { status, body } = await f.api('GET', `${base}/issues/${ids.orders}/similar`)
    expect(status).toBe(200)
    expect(body.similar[0]).toMatchObject({ issueId: ids.billing })
    expect(body.similar[0].score).toBeGreaterThan(0.8)
    expect(body.similar[0].shared).toEqual(expect.arrayContaining(['type:ConnectionTimeoutError']))
    const render = body.similar.find((s: any) => s.issueId === ids.render)
    if (render) expect(render.score).toBeLessThan(body.similar[0].score)
  })

  it('clusters the two timeouts and not the render error', async () => {
    const { body } = await f.api('GET', `${base}/issue-clusters`)
    const cluster = body.clusters.find((c: any) => c.issueIds.includes(ids.orders))
    expect(cluster.issueIds.sort()).toEqual([ids.orders, ids.billing].sort())
    expect(cluster.shared.length).toBeGreaterThan(0)
    expect((await f.api('GET', `${base}/issues/999999/similar`)).status).toBe(404)
  })
})

describe('forecast', () => {
  it('forecasts the project series with an interval and a crossing time', async () => {
    const { status, body } = await f.api('GET', `${base}/forecast?series=project&horizonMinutes=30&threshold=1`)
    expect(status).toBe(200)
    expect(body.resolution).toBe('minute')
    expect(body.points).toHaveLength(30)
    for (const p of body.points) expect(p.lower <= p.value && p.value <= p.upper).toBe(true)
    expect(body.threshold.earliestAt).toBe(body.points[0].time)
    const never = (await f.api('GET', `${base}/forecast?series=issue&issueId=${ids.render}&horizonMinutes=30&threshold=1000000`)).body
    expect(never.threshold).toMatchObject({ expectedAt: null, earliestAt: null })
  })

  it('refuses bad input', async () => {
    expect((await f.api('GET', `${base}/forecast?horizonMinutes=0`)).status).toBe(400)
    expect((await f.api('GET', `${base}/forecast?series=issue&issueId=999999`)).status).toBe(404)
  })
})

describe('backtest', () => {
  it('scores a CSV series and finds its spike', async () => {
    const start = Date.UTC(2025, 0, 1)
    const lines = ['timestamp,value']
    for (let i = 0; i < 600; i++) lines.push(`${new Date(start + i * minute).toISOString()},${i >= 400 && i < 405 ? 60 : 3 + (i % 4)}`)
    const { status, body } = await f.api('POST', `${base}/backtest`, { csv: lines.join('\n'), sensitivity: 'medium' })
    expect(status).toBe(200)
    expect(body.points).toHaveLength(600)
    expect(body.source).toEqual({ kind: 'csv', points: 600 })
    expect(body.windows).toHaveLength(1)
    expect(body.windows[0].start).toBeGreaterThanOrEqual(start + 400 * minute)
    expect(body.windows[0].start).toBeLessThanOrEqual(start + 404 * minute)
  })

  it('backtests a stored issue series', async () => {
    const { status, body } = await f.api('POST', `${base}/backtest`, { series: 'issue', issueId: ids.orders, since: scored - 180 * minute, until: scored + minute, sensitivity: 'high' })
    expect(status).toBe(200)
    expect(body.points).toHaveLength(181)
    expect(body.points.at(-1)).toMatchObject({ t: scored, v: 20 })
    expect(body.windows.some((w: any) => w.start >= scored - 2 * minute && w.start <= scored)).toBe(true)
  })

  it('refuses bad and oversized input', async () => {
    expect((await f.api('POST', `${base}/backtest`, { csv: 'time,value\nyesterday,3' })).status).toBe(400)
    expect((await f.api('POST', `${base}/backtest`, { csv: '1,2', series: 'project' })).status).toBe(400)
    expect((await f.api('POST', `${base}/backtest`, { csv: '1,2', sensitivity: 'extreme' })).status).toBe(400)
    expect((await f.api('POST', `${base}/backtest`, { series: 'issue', issueId: '999999' })).status).toBe(404)
    const big = (await f.api('POST', `${base}/backtest`, { csv: '1700000000,1\n'.repeat(500_000) })).status
    expect(big).toBe(413)
    const many = Array.from({ length: 100_001 }, (_, i) => `${i},1`).join('\n')
    expect((await f.api('POST', `${base}/backtest`, { csv: many })).status).toBe(413)
  })
})

describe('openapi', () => {
  it('documents every intelligence route', async () => {
    const document = await (await fetch(`${f.url}/api/v1/openapi.json`)).json()
    for (const path of ['anomalies', 'issues/{issueId}/similar', 'issue-clusters', 'forecast', 'backtest', 'issues/{issueId}/root-cause']) {
      expect(document.paths[`/projects/{projectId}/${path}`], path).toBeDefined()
    }
  })
})

describe('root cause', () => {
  it('names the suspect release, the over-represented region and the co-spiking issue, with their numbers', async () => {
    const { status, body } = await f.api('GET', `${base}/issues/${ids.orders}/root-cause`)
    expect(status).toBe(200)
    expect(body.suspectRelease).toMatchObject({ release: 'api@2.0', reason: 'first_seen', previousRate: 0 })
    expect(body.suspectRelease.pValue).toBeLessThan(0.01)
    expect(body.releases.map((r: any) => r.release)).toEqual(['api@1.9', 'api@2.0'])
    const region = body.tags.hints.find((h: any) => h.key === 'region' && h.value === 'eu-west')
    expect(region).toMatchObject({ issueShare: 1 })
    expect(region.adjustedPValue).toBeLessThan(0.05)
    expect(region.baselineShare).toBeLessThan(1)
    expect(body.spike.startedAt).toBe(new Date(scored - 2 * minute).toISOString())
    expect(body.coSpikes).toEqual([expect.objectContaining({ issueId: ids.billing, lagMinutes: 0 })])
    expect((await f.api('GET', `${base}/issues/999999/root-cause`)).status).toBe(404)
  })
})
