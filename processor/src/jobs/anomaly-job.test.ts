/** The anomaly job against a real chDB event store and SQLite metadata (one chDB path in this file). */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '@faultline/core/config'
import type { IssueDoc } from '@faultline/core/issues'
import { createLogger } from '@faultline/core/log'
import { defaultOrganization } from '@faultline/core/accounts'
import { openPlatform, type Platform } from '@faultline/core/platform'
import { createProject } from '@faultline/core/projects'
import { SeriesScorer, detectorVersion, loadAnomalyCombiner, scoreThreshold } from '@faultline/intelligence'
import { AnomalyJob } from './anomaly-job'
import { floorMinute, minuteMs } from '@faultline/core/rollups'
import { refreshProjectRollups } from '@faultline/core/event-store'

const dataDir = mkdtempSync(join(tmpdir(), 'fl-anomaly-job-'))
let platform: Platform
let projectId: string
let orgId: string
const now = floorMinute(Date.now()) + 20_000
const scoredMinute = floorMinute(now) - minuteMs

function issue(id: string, fingerprint: string, lastSeen: number): Omit<IssueDoc, 'orgId'> {
  return {
    _id: id, projectId, fingerprints: [fingerprint], title: id, culprit: '', type: 'Error', value: id, level: 'error', platform: 'node', searchText: id,
    groupingStrategy: 'test', status: 'unresolved', substatus: 'ongoing', firstSeen: now - 6 * 3_600_000, lastSeen, eventCount: 0, userCount: 0,
    environments: [], releases: [], firstRelease: '', lastRelease: '',
  }
}

/** `count` events of `fingerprint` in the minute starting at `minute`. */
function events(fingerprint: string, minute: number, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, k) => ({
    project_id: Number(projectId), fingerprint, issue_id: '', timestamp: minute + 1_000 + k, received_at: minute + 1_000 + k,
    event_id: randomUUID(), level: 'error', title: fingerprint, payload: '{}',
  }))
}

async function scoreRows(): Promise<Array<{ series_kind: string; series_id: string; minute: string; value: number; score: number; model_version: string; drivers: string }>> {
  const { client, database } = platform.eventStore
  const result = await client.query({
    query: `SELECT series_kind, series_id, toString(minute) AS minute, value, score, model_version, drivers
            FROM ${database}.anomaly_scores FINAL WHERE project_id = {project:UInt64} ORDER BY series_kind, series_id, minute`,
    query_params: { project: Number(projectId) },
    format: 'JSONEachRow',
  })
  return result.json()
}

beforeAll(async () => {
  platform = await openPlatform(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { logger: createLogger('silent') })
  orgId = (await defaultOrganization(platform.accounts))._id
  projectId = (await createProject(platform.projects, orgId, 'Job test')).project._id
  await platform.issues.issues.put(orgId, issue('1', 'fp-spike', now - 60_000))
  await platform.issues.issues.put(orgId, issue('2', 'fp-steady', now - 60_000))
  await platform.issues.issues.put(orgId, issue('3', 'fp-quiet', now - 3_600_000))
  await platform.issues.issues.put(orgId, issue('4', 'fp-stale', now - 3 * 86_400_000))
  const rows: Record<string, unknown>[] = []
  for (let back = 180; back >= 0; back--) {
    const minute = scoredMinute - back * minuteMs
    rows.push(...events('fp-steady', minute, 2))
    // One event every ten minutes, then twenty in the last minute.
    if (back === 0) rows.push(...events('fp-spike', minute, 20))
    else if (back % 10 === 0) rows.push(...events('fp-spike', minute, 1))
  }
  rows.push(...events('fp-quiet', scoredMinute - 300 * minuteMs, 3))
  rows.push(...events('fp-stale', scoredMinute - 3 * 1440 * minuteMs, 2))
  // The minute still running is not scored.
  rows.push(...events('fp-steady', scoredMinute + minuteMs, 50))
  await platform.eventStore.client.insert({ table: `${platform.eventStore.database}.error_events`, values: rows, format: 'JSONEachRow' })
  await refreshProjectRollups(platform.eventStore, projectId)
}, 60_000)

afterAll(async () => {
  await platform?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('anomaly job', () => {
  it('scores the last completed minute of the project and its active issues', async () => {
    const job = new AnomalyJob(platform)
    const report = await job.runOnce(now)
    // Scores come from the detector's statistics through the shipped ONNX combiner, and say so.
    const version = `${detectorVersion}+${(await loadAnomalyCombiner()).version}`
    expect(report).toMatchObject({ minute: scoredMinute, projects: 1, scored: 4, quiet: 1, anomalous: 2, warmedUp: 4, version })
    const rows = await scoreRows()
    expect(rows.map((r) => `${r.series_kind}:${r.series_id}`)).toEqual(['issue:1', 'issue:2', `project:${projectId}`])
    for (const row of rows) {
      expect(Date.parse(`${row.minute.replace(' ', 'T')}Z`)).toBe(scoredMinute)
      expect(row.model_version).toBe(version)
    }
    const [spike, steady, project] = rows
    expect(spike!.value).toBe(20)
    expect(spike!.score).toBeGreaterThanOrEqual(scoreThreshold('medium'))
    const drivers = JSON.parse(spike!.drivers) as Array<{ driver: string; distance: number; p: number }>
    expect(drivers).toHaveLength(1)
    expect(drivers[0]!.p).toBeLessThan(1e-4)
    expect(steady).toMatchObject({ value: 2, drivers: '[]' })
    expect(steady!.score).toBeLessThan(scoreThreshold('high'))
    // The project jumps from 2 to 22 events a minute: anomalous too.
    expect(project!.value).toBe(22)
    expect(project!.score).toBeGreaterThanOrEqual(scoreThreshold('medium'))
  })

  it('scores a minute as a backtest of the series would: the same streaming scorer and model', async () => {
    const job = new AnomalyJob(platform, { warmupMinutes: 181 })
    await job.runOnce(now)
    const [spike] = await scoreRows()
    // The issue's 181 minutes through one scorer at once, as `faultline backtest` would feed them.
    const minutes = Array.from({ length: 181 }, (_, k) => 180 - k)
    const scored = await new SeriesScorer(await loadAnomalyCombiner()).push(minutes.map((back) => ({ t: scoredMinute - back * minuteMs, v: back === 0 ? 20 : back % 10 === 0 ? 1 : 0 })))
    expect(spike!.score).toBeCloseTo(scored.at(-1)!.score, 5)
    expect(spike!.score).toBeGreaterThan(0)
  })

  it('feeds a followed series one minute per run and replaces the rows of a minute scored again', async () => {
    const job = new AnomalyJob(platform)
    expect((await job.runOnce(now)).warmedUp).toBe(4)
    expect((await job.runOnce(now)).warmedUp).toBe(0)
    expect(await scoreRows()).toHaveLength(3)
  })

  it('runs on one replica at a time through the cache lease', async () => {
    const key = `job:anomaly-test-${randomUUID()}`
    const first = new AnomalyJob(platform, { leaseKey: key })
    const second = new AnomalyJob(platform, { leaseKey: key })
    expect(await first.tick(now)).toBe(true)
    expect(await second.tick(now)).toBe(false)
    expect(await first.tick(now)).toBe(true)
    await first.stop()
    expect(await second.tick(now)).toBe(true)
    await second.stop()
  })

  it('stops cleanly when started and never ticked', async () => {
    const job = new AnomalyJob(platform, { intervalMs: 3_600_000 })
    job.start()
    await job.stop()
  })
})
