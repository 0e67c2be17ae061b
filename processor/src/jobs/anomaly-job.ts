/**
 * Once a minute, on one replica (cache lease), scores the last completed minute of every
 * project's series and of every active issue's series with the ONNX anomaly model, and writes
 * the scores with the model version and, for high scores, the features that drove them.
 *
 * Cost: a feature row only looks at the last `recentMinutes` points and at five points around the
 * same minute a day and a week earlier, so only those minutes are read from the rollups (about
 * 210 per series instead of a week); series are scored in chunks through reused buffers.
 */
import type { Platform } from '@faultline/core/platform'
import type { IssueDoc } from '@faultline/core/issues'
import type { Logger } from '@faultline/core/log'
import { anomalyFeatureCount, defaultFeatureOptions, type AnomalyScorer, type Sensitivity } from '@faultline/intelligence'
import { LeasedSchedule } from './leased-schedule'
import {
  floorMinute,
  issueMinuteCounts,
  minuteMs,
  projectDataStarts,
  projectMinuteCounts,
  SeriesKinds,
  type MinuteCount,
  type MinuteRange,
  type SeriesKind,
} from '@faultline/core/rollups'

export interface AnomalyJobOptions {
  /** The scorer, or how to get it: called on every run, so a model that failed to load is retried. */
  scorer: AnomalyScorer | (() => Promise<AnomalyScorer>)
  intervalMs?: number
  /** Delay after each minute boundary before scoring the minute that just ended. */
  offsetMs?: number
  leaseKey?: string
  /** Issues seen within this long are active and scored. */
  activeWindowMs?: number
  /** Series scored per model run. */
  chunkSize?: number
  /** Scores at or above the threshold of this sensitivity get their drivers explained. */
  sensitivity?: Sensitivity
}

export interface AnomalyRunReport {
  minute: number
  projects: number
  /** Series scored (project series plus active issue series with events in the feature window). */
  scored: number
  /** Active issues with no event in the feature window: an all-zero row, not scored. */
  quiet: number
  anomalous: number
  modelVersion: string
  readMs: number
  scoreMs: number
  writeMs: number
}

type JobPlatform = Pick<Platform, 'eventStore' | 'issues' | 'projects' | 'cache' | 'logger'>

// Points a feature row reads back from the scored minute: the EWMA warm-up (200) bounds the rest.
const recentMinutes = 201
const seasonalHalfWidth = 2
const { dayPeriod, weekPeriod } = defaultFeatureOptions
const maxLength = weekPeriod + seasonalHalfWidth + 1

interface SeriesToScore {
  kind: SeriesKind
  id: string
  counts: MinuteCount[]
}

export class AnomalyJob {
  readonly #platform: JobPlatform
  readonly #logger: Logger
  readonly #scorer: () => Promise<AnomalyScorer>
  readonly #schedule: LeasedSchedule
  readonly #activeWindowMs: number
  readonly #chunkSize: number
  readonly #sensitivity: Sensitivity
  #running: Promise<unknown> = Promise.resolve()

  constructor(platform: JobPlatform, options: AnomalyJobOptions) {
    this.#platform = platform
    this.#logger = platform.logger.child({ component: 'anomaly-job' })
    const { scorer } = options
    this.#scorer = typeof scorer === 'function' ? scorer : () => Promise.resolve(scorer)
    this.#activeWindowMs = options.activeWindowMs ?? 24 * 3_600_000
    this.#chunkSize = options.chunkSize ?? 512
    this.#sensitivity = options.sensitivity ?? 'medium'
    const intervalMs = options.intervalMs ?? minuteMs
    this.#schedule = new LeasedSchedule(
      platform.cache,
      this.#logger,
      { key: options.leaseKey ?? 'job:anomaly', intervalMs, offsetMs: options.offsetMs ?? Math.min(5_000, intervalMs / 4), leaseTtlMs: intervalMs * 2.5 },
      async (now) => {
        const report = await this.runOnce(now)
        this.#logger.debug('anomaly scores written', { ...report })
      },
    )
  }

  start(): void {
    this.#schedule.start()
  }

  stop(): Promise<void> {
    return this.#schedule.stop()
  }

  /** Takes or keeps the lease and runs once when held; what the schedule does every interval. */
  tick(now = Date.now()): Promise<boolean> {
    return this.#schedule.tick(now)
  }

  /** Scores the minute before the one containing `now`, for every project. Runs one at a time. */
  runOnce(now = Date.now()): Promise<AnomalyRunReport> {
    const run = this.#running.then(() => this.#run(now))
    this.#running = run.catch(() => undefined)
    return run
  }

  async #run(now: number): Promise<AnomalyRunReport> {
    const scorer = await this.#scorer()
    const minute = floorMinute(now) - minuteMs
    const report: AnomalyRunReport = { minute, projects: 0, scored: 0, quiet: 0, anomalous: 0, modelVersion: scorer.modelVersion, readMs: 0, scoreMs: 0, writeMs: 0 }
    const { eventStore, projects, issues } = this.#platform
    const started = performance.now()
    const dataStarts = await projectDataStarts(eventStore, minute - (maxLength - 1) * minuteMs)
    report.readMs += performance.now() - started
    for (const project of await projects.projects.find({})) {
      const dataStart = dataStarts.get(project._id)
      if (dataStart === undefined || dataStart > minute) continue
      report.projects++
      const length = Math.min(maxLength, (minute - dataStart) / minuteMs + 1)
      const ranges = featureRanges(minute, length)
      const readStarted = performance.now()
      const active = await issues.issues.find(project.orgId, { projectId: project._id, lastSeen: { $gte: now - this.#activeWindowMs } })
      const series = await this.#readSeries(project._id, active, ranges)
      report.quiet += active.filter((issue) => issue.fingerprints.length > 0).length - (series.length - 1)
      report.readMs += performance.now() - readStarted
      const rows = await this.#score(scorer, project._id, minute, length, series, report)
      const writeStarted = performance.now()
      if (rows.length > 0) await eventStore.client.insert({ table: `${eventStore.database}.anomaly_scores`, values: rows, format: 'JSONEachRow' })
      report.writeMs += performance.now() - writeStarted
    }
    return report
  }

  async #readSeries(projectId: string, active: IssueDoc[], ranges: MinuteRange[]): Promise<SeriesToScore[]> {
    const { eventStore } = this.#platform
    const [projectCounts, issueCounts] = await Promise.all([
      projectMinuteCounts(eventStore, projectId, ranges),
      issueMinuteCounts(eventStore, projectId, active, ranges),
    ])
    const series: SeriesToScore[] = [{ kind: SeriesKinds.project, id: projectId, counts: projectCounts }]
    for (const [id, counts] of issueCounts) series.push({ kind: SeriesKinds.issue, id, counts })
    return series
  }

  async #score(scorer: AnomalyScorer, projectId: string, minute: number, length: number, series: SeriesToScore[], report: AnomalyRunReport): Promise<Record<string, unknown>[]> {
    const started = performance.now()
    const threshold = scorer.threshold(this.#sensitivity)
    const origin = minute - (length - 1) * minuteMs
    const buffers = Array.from({ length: Math.min(this.#chunkSize, series.length) }, () => new Float64Array(length))
    const rows: Record<string, unknown>[] = []
    for (let at = 0; at < series.length; at += this.#chunkSize) {
      const chunk = series.slice(at, at + this.#chunkSize)
      chunk.forEach((s, k) => fill(buffers[k]!, s.counts, origin))
      const { scores, features, modelVersion } = await scorer.scoreLatest(buffers.slice(0, chunk.length))
      for (let k = 0; k < chunk.length; k++) {
        const s = chunk[k]!
        const score = scores[k]!
        let drivers = '[]'
        if (score >= threshold) {
          report.anomalous++
          drivers = JSON.stringify(await scorer.explain(features.slice(k * anomalyFeatureCount, (k + 1) * anomalyFeatureCount)))
        }
        rows.push({
          project_id: Number(projectId),
          series_kind: s.kind,
          series_id: s.id,
          minute: minute / 1000,
          value: buffers[k]![length - 1]!,
          score,
          model_version: modelVersion,
          drivers,
          scored_at: Date.now(),
        })
        clear(buffers[k]!, s.counts, origin)
      }
      report.modelVersion = modelVersion
    }
    report.scored += series.length
    report.scoreMs += performance.now() - started
    return rows
  }
}

/** The minutes a feature row of the last point reads, within a series of `length` minutes ending at `minute`. */
export function featureRanges(minute: number, length: number): MinuteRange[] {
  const first = minute - (length - 1) * minuteMs
  const end = minute + minuteMs
  const ranges: MinuteRange[] = [{ from: Math.max(first, minute - (recentMinutes - 1) * minuteMs), to: end }]
  for (const period of [dayPeriod, weekPeriod]) {
    const from = minute - (period + seasonalHalfWidth) * minuteMs
    if (from >= first && from < ranges[0]!.from) ranges.push({ from, to: Math.min(ranges[0]!.from, from + (2 * seasonalHalfWidth + 1) * minuteMs) })
  }
  return ranges
}

function fill(buffer: Float64Array, counts: readonly MinuteCount[], origin: number): void {
  for (const { minute, events } of counts) {
    const index = (minute - origin) / minuteMs
    if (index >= 0 && index < buffer.length) buffer[index] = events
  }
}

// Buffers are reused across series: only the cells a series set are cleared again.
function clear(buffer: Float64Array, counts: readonly MinuteCount[], origin: number): void {
  for (const { minute } of counts) {
    const index = (minute - origin) / minuteMs
    if (index >= 0 && index < buffer.length) buffer[index] = 0
  }
}
