/**
 * Once a minute, on one replica (cache lease), scores the last completed minute of every
 * project's series and of every active issue's series with the streaming scorer
 * (@faultline/intelligence anomaly/series-scorer.ts: the detector's statistics through the ONNX
 * anomaly combiner), the same code a backtest runs over a whole series, and writes the scores with
 * the detector and model version and, for high scores, what drove them.
 *
 * The job keeps one scorer per series in memory and feeds it one minute per run (minutes without
 * events are 0), one model batch per series and run. A series it has not followed (a new issue, a restart, a lease taken over) is
 * first warmed up with its last `warmupMinutes` of rollups, so its scores start from history;
 * seasonality needs three periods of history and is learnt as the job runs. Detectors of series
 * that stop being active are dropped.
 */
import type { Platform } from '@faultline/core/platform'
import type { IssueDoc } from '@faultline/core/issues'
import type { Logger } from '@faultline/core/log'
import { SeriesScorer, detectorVersion, scoreThreshold, sharedIntelligenceModels, type AnomalyCombiner, type ScoredPoint, type ScorerOptions, type Sensitivity } from '@faultline/intelligence'
import { LeasedSchedule } from './leased-schedule'
import { floorMinute, issueMinuteCounts, minuteMs, projectDataStarts, projectMinuteCounts, SeriesKinds, type MinuteCount, type SeriesKind } from '@faultline/core/rollups'

export interface AnomalyJobOptions {
  intervalMs?: number
  /** Delay after each minute boundary before scoring the minute that just ended. */
  offsetMs?: number
  leaseKey?: string
  /** Issues seen within this long are active and scored. */
  activeWindowMs?: number
  /** History a detector is warmed up with when the job starts following a series. */
  warmupMinutes?: number
  /** An issue series without events for this long is quiet: scored, but no row is written. */
  quietMinutes?: number
  /** Scores at or above this sensitivity's threshold are anomalous and get their drivers. */
  sensitivity?: Sensitivity
  detector?: Partial<ScorerOptions>
  /** The anomaly combiner; the process's shared (shipped, hot-reloaded) model by default. */
  combiner?: () => Promise<AnomalyCombiner>
}

export interface AnomalyRunReport {
  minute: number
  projects: number
  /** Series scored (the project series plus the active issue series). */
  scored: number
  /** Active issue series without events lately: scored, not written. */
  quiet: number
  anomalous: number
  /** Series whose detector was (re)built from history in this run. */
  warmedUp: number
  /** Detector and combiner version of the scores written (the detector's alone if none was). */
  version: string
  readMs: number
  scoreMs: number
  writeMs: number
}

type JobPlatform = Pick<Platform, 'eventStore' | 'issues' | 'projects' | 'cache' | 'logger'>

interface Followed {
  scorer: SeriesScorer
  /** The last minute fed, and what it scored. */
  minute: number
  last: ScoredPoint
  value: number
  lastEvent: number
}

interface SeriesToScore {
  kind: SeriesKind
  id: string
  key: string
  /** First minute to feed: the next one for a followed series, else the start of its warm-up. */
  from: number
}

export class AnomalyJob {
  readonly #platform: JobPlatform
  readonly #logger: Logger
  readonly #schedule: LeasedSchedule
  readonly #followed = new Map<string, Followed>()
  readonly #activeWindowMs: number
  readonly #warmupMinutes: number
  readonly #quietMinutes: number
  readonly #threshold: number
  readonly #detectorOptions: Partial<ScorerOptions>
  readonly #combiner: () => Promise<AnomalyCombiner>
  #running: Promise<unknown> = Promise.resolve()

  constructor(platform: JobPlatform, options: AnomalyJobOptions = {}) {
    this.#platform = platform
    this.#logger = platform.logger.child({ component: 'anomaly-job' })
    this.#activeWindowMs = options.activeWindowMs ?? 24 * 3_600_000
    this.#warmupMinutes = options.warmupMinutes ?? 1440
    this.#quietMinutes = options.quietMinutes ?? 60
    this.#threshold = scoreThreshold(options.sensitivity ?? 'medium')
    this.#detectorOptions = options.detector ?? {}
    this.#combiner = options.combiner ?? (async () => (await sharedIntelligenceModels(this.#logger)).anomaly)
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
    const minute = floorMinute(now) - minuteMs
    const report: AnomalyRunReport = { minute, projects: 0, scored: 0, quiet: 0, anomalous: 0, warmedUp: 0, version: detectorVersion, readMs: 0, scoreMs: 0, writeMs: 0 }
    const { eventStore, projects, issues } = this.#platform
    const warmupStart = minute - (this.#warmupMinutes - 1) * minuteMs
    let started = performance.now()
    const dataStarts = await projectDataStarts(eventStore, warmupStart)
    report.readMs += performance.now() - started
    const seen = new Set<string>()
    const combiner = await this.#combiner()
    for (const project of await projects.projects.find({})) {
      const dataStart = dataStarts.get(project._id)
      if (dataStart === undefined || dataStart > minute) continue
      report.projects++
      started = performance.now()
      const active = (await issues.issues.find(project.orgId, { projectId: project._id, lastSeen: { $gte: now - this.#activeWindowMs } })).filter((issue) => issue.fingerprints.length > 0)
      const series = this.#plan(project._id, active, minute, Math.max(warmupStart, dataStart))
      const counts = await this.#read(project._id, active, series, minute)
      report.readMs += performance.now() - started
      started = performance.now()
      const rows: Record<string, unknown>[] = []
      for (const s of series) {
        seen.add(s.key)
        const followed = await this.#feed(s, combiner, counts.get(s.key) ?? [], minute, report)
        report.version = followed.scorer.version
        report.scored++
        if (s.kind === SeriesKinds.issue && minute - followed.lastEvent >= this.#quietMinutes * minuteMs) {
          report.quiet++
          continue
        }
        rows.push(this.#row(project._id, s, followed, report))
      }
      report.scoreMs += performance.now() - started
      started = performance.now()
      if (rows.length > 0) await eventStore.client.insert({ table: `${eventStore.database}.anomaly_scores`, values: rows, format: 'JSONEachRow' })
      report.writeMs += performance.now() - started
    }
    for (const key of this.#followed.keys()) if (!seen.has(key)) this.#followed.delete(key)
    return report
  }

  /** The series of a project and the first minute each needs fed. */
  #plan(projectId: string, active: IssueDoc[], minute: number, warmupFrom: number): SeriesToScore[] {
    const all = [{ kind: SeriesKinds.project, id: projectId }, ...active.map((issue) => ({ kind: SeriesKinds.issue, id: issue._id }))]
    return all.map(({ kind, id }) => {
      const key = `${projectId}:${kind}:${id}`
      const followed = this.#followed.get(key)
      // A followed series needs the minutes since; one followed with a hole in the runs is rebuilt.
      const next = followed && followed.minute >= minute - this.#warmupMinutes * minuteMs ? Math.min(followed.minute + minuteMs, minute + minuteMs) : warmupFrom
      return { kind, id, key, from: next }
    })
  }

  /** Minute counts of every series from the earliest minute any of them needs. */
  async #read(projectId: string, active: IssueDoc[], series: SeriesToScore[], minute: number): Promise<Map<string, MinuteCount[]>> {
    const out = new Map<string, MinuteCount[]>()
    const needing = series.filter((s) => s.from <= minute)
    if (needing.length === 0) return out
    const range = { from: Math.min(...needing.map((s) => s.from)), to: minute + minuteMs }
    const [project, byIssue] = await Promise.all([
      projectMinuteCounts(this.#platform.eventStore, projectId, [range]),
      issueMinuteCounts(this.#platform.eventStore, projectId, active, [range]),
    ])
    out.set(`${projectId}:${SeriesKinds.project}:${projectId}`, project)
    for (const [issueId, counts] of byIssue) out.set(`${projectId}:${SeriesKinds.issue}:${issueId}`, counts)
    return out
  }

  /** Feeds a series' scorer every minute from `s.from` to `minute` (0 where no events), in one model batch. */
  async #feed(s: SeriesToScore, combiner: AnomalyCombiner, counts: readonly MinuteCount[], minute: number, report: AnomalyRunReport): Promise<Followed> {
    let followed = this.#followed.get(s.key)
    if (!followed || followed.minute < s.from - minuteMs) {
      followed = { scorer: new SeriesScorer(combiner, this.#detectorOptions), minute: s.from - minuteMs, last: undefined as unknown as ScoredPoint, value: 0, lastEvent: Number.NEGATIVE_INFINITY }
      this.#followed.set(s.key, followed)
      report.warmedUp++
    }
    const byMinute = new Map(counts.map((c) => [c.minute, c.events]))
    const points: Array<{ t: number; v: number }> = []
    for (let m = followed.minute + minuteMs; m <= minute; m += minuteMs) points.push({ t: m, v: byMinute.get(m) ?? 0 })
    if (points.length === 0) return followed
    let scored: ScoredPoint[]
    try {
      scored = await followed.scorer.push(points)
    } catch (error) {
      // The detector has learnt minutes that were not scored: rebuild the series from history next run.
      this.#followed.delete(s.key)
      throw error
    }
    const last = points[points.length - 1]!
    followed.last = scored[scored.length - 1]!
    followed.value = last.v
    followed.minute = last.t
    const lastEvent = points.findLast((p) => p.v > 0)
    if (lastEvent) followed.lastEvent = lastEvent.t
    return followed
  }

  #row(projectId: string, s: SeriesToScore, followed: Followed, report: AnomalyRunReport): Record<string, unknown> {
    const { score, p, driver, distances, seasonality } = followed.last
    let drivers = '[]'
    if (score >= this.#threshold) {
      report.anomalous++
      drivers = JSON.stringify([{ driver, distance: distances[driver], p, seasonality }])
    }
    return {
      project_id: Number(projectId),
      series_kind: s.kind,
      series_id: s.id,
      minute: followed.minute / 1000,
      value: followed.value,
      score,
      model_version: followed.scorer.version,
      drivers,
      scored_at: Date.now(),
    }
  }
}
