/** The anomaly job against a real chDB event store and SQLite metadata (one chDB path in this file). */
import { randomUUID } from 'node:crypto'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '@faultline/core/config'
import type { IssueDoc } from '@faultline/core/issues'
import { createLogger } from '@faultline/core/log'
import { defaultOrganization } from '@faultline/core/accounts'
import { openPlatform, type Platform } from '@faultline/core/platform'
import { createProject } from '@faultline/core/projects'
import {
  Activation,
  anomalyFeatureCount,
  buildDenseModel,
  defaultFeatureOptions,
  defaultModelPaths,
  loadAnomalyScorer,
  type AnomalyScorer,
} from '@faultline/intelligence'
import { AnomalyJob, featureRanges } from './anomaly-job'
import { floorMinute, minuteMs } from '@faultline/core/rollups'

const dataDir = mkdtempSync(join(tmpdir(), 'fl-anomaly-job-'))
let platform: Platform
let scorer: AnomalyScorer
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
  scorer = await loadAnomalyScorer()
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
    // One event every ten minutes, then twenty a minute for the last three minutes.
    if (back < 3) rows.push(...events('fp-spike', minute, 20))
    else if (back % 10 === 0) rows.push(...events('fp-spike', minute, 1))
  }
  rows.push(...events('fp-quiet', scoredMinute - 300 * minuteMs, 3))
  rows.push(...events('fp-stale', scoredMinute - 3 * 1440 * minuteMs, 2))
  // The minute still running is not scored.
  rows.push(...events('fp-steady', scoredMinute + minuteMs, 50))
  await platform.eventStore.client.insert({ table: `${platform.eventStore.database}.error_events`, values: rows, format: 'JSONEachRow' })
}, 60_000)

afterAll(async () => {
  await platform?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('anomaly job', () => {
  it('scores the last completed minute of the project and its active issues', async () => {
    const job = new AnomalyJob(platform, { scorer })
    const report = await job.runOnce(now)
    expect(report).toMatchObject({ minute: scoredMinute, projects: 1, scored: 3, quiet: 1, anomalous: 2, modelVersion: scorer.modelVersion })
    const rows = await scoreRows()
    expect(rows.map((r) => `${r.series_kind}:${r.series_id}`)).toEqual(['issue:1', 'issue:2', `project:${projectId}`])
    for (const row of rows) {
      expect(Date.parse(`${row.minute.replace(' ', 'T')}Z`)).toBe(scoredMinute)
      expect(row.model_version).toBe(scorer.modelVersion)
    }
    const [spike, steady, project] = rows
    expect(spike!.value).toBe(20)
    expect(spike!.score).toBeGreaterThanOrEqual(scorer.threshold('medium'))
    const drivers = JSON.parse(spike!.drivers) as Array<{ feature: string; contribution: number }>
    expect(drivers.length).toBeGreaterThan(0)
    expect(drivers[0]!.contribution).toBeGreaterThan(0)
    expect(steady).toMatchObject({ value: 2, drivers: '[]' })
    expect(steady!.score).toBeLessThan(0.5)
    // The project jumps from 2 to 22 events a minute: anomalous too.
    expect(project!.value).toBe(22)
    expect(project!.score).toBeGreaterThanOrEqual(scorer.threshold('medium'))
  })

  it('replaces the rows of a minute scored again', async () => {
    await new AnomalyJob(platform, { scorer }).runOnce(now)
    expect(await scoreRows()).toHaveLength(3)
  })

  it('runs on one replica at a time through the cache lease', async () => {
    const key = `job:anomaly-test-${randomUUID()}`
    const first = new AnomalyJob(platform, { scorer, leaseKey: key })
    const second = new AnomalyJob(platform, { scorer, leaseKey: key })
    expect(await first.tick(now)).toBe(true)
    expect(await second.tick(now)).toBe(false)
    expect(await first.tick(now)).toBe(true)
    await first.stop()
    expect(await second.tick(now)).toBe(true)
    await second.stop()
  })

  it('records the version of a model swapped in while running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-model-'))
    const path = join(dir, 'anomaly.onnx')
    copyFileSync(defaultModelPaths.anomaly, path)
    const swapped = await loadAnomalyScorer(path)
    const stop = swapped.model.watch({ intervalMs: 50 })
    try {
      const job = new AnomalyJob(platform, { scorer: swapped })
      const before = swapped.modelVersion
      // A model that scores everything 0.5 (sigmoid of 0), with a version of its own.
      writeFileSync(path, buildDenseModel({
        name: 'anomaly', version: 'anomaly-test-2', metadata: { threshold: '0.9' },
        layers: [{ inputSize: anomalyFeatureCount, outputSize: 1, weights: new Float32Array(anomalyFeatureCount), activation: Activation.sigmoid }],
      }))
      await expect.poll(() => swapped.modelVersion, { timeout: 5_000, interval: 50 }).not.toBe(before)
      const report = await job.runOnce(now)
      expect(report.modelVersion).toMatch(/^anomaly-test-2#/)
      const rows = await scoreRows()
      expect(rows.every((r) => r.model_version === report.modelVersion && Math.abs(r.score - 0.5) < 1e-6)).toBe(true)
    } finally {
      stop()
      await swapped.model.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('stops cleanly when started and never ticked', async () => {
    const job = new AnomalyJob(platform, { scorer, intervalMs: 3_600_000 })
    job.start()
    await job.stop()
  })
})

describe('feature ranges', () => {
  const minute = floorMinute(Date.UTC(2025, 0, 10, 12, 0))
  it('reads the recent window only when history is short', () => {
    expect(featureRanges(minute, 100)).toEqual([{ from: minute - 99 * minuteMs, to: minute + minuteMs }])
  })

  it('adds five minutes around the same minute a day and a week earlier when history allows', () => {
    const ranges = featureRanges(minute, defaultFeatureOptions.weekPeriod + 3)
    expect(ranges).toEqual([
      { from: minute - 200 * minuteMs, to: minute + minuteMs },
      { from: minute - 1442 * minuteMs, to: minute - 1437 * minuteMs },
      { from: minute - 10082 * minuteMs, to: minute - 10077 * minuteMs },
    ])
  })
})
