/**
 * One series scored end to end: the streaming detector's statistics (synchronous, causal), the
 * anomaly combiner (an ONNX model, asynchronous, one batch per chunk of points), the contextual
 * novelty beside it and the onset marks. The live job feeds it a minute at a time and a backtest a whole series at once: the same
 * code, so a backtest shows what the job would have said. Each point's score depends on earlier
 * points only; the model scores each point's own statistics.
 */
import type { AnomalyCombiner } from './combiner'
import { AnomalyDrivers, SeriesDetector, scoreDecades, scoreOf, type DetectorOptions, type PointStatistics } from './series-detector'
import type { Seasonality } from './seasonal-profile'

export interface ScoredPoint extends PointStatistics {
  /**
   * The combiner's improbability in [0, 1] (see `scoreOf`: 0.25 is p = 1e-4, 0.5 is p = 1e-8), or
   * `noveltyWeight` × the point's novelty when that is higher: a series that keeps making moves
   * it never made is unusual even when each point is near a prediction.
   */
  score: number
  /** The chance of a point at least this unusual on this series, as the combiner calibrates it (novelty aside). */
  p: number
  /**
   * The score if it tops every score of the last `onsetPoints` points (an incident starts or
   * grows) and no onset at or above `alarmScore` came in the last `refractoryPoints` points (an
   * incident already reported is not reported again as it grows), else 0.
   */
  onset: number
}

export interface ScorerOptions extends DetectorOptions {
  /** Points a score must top to be an onset. */
  onsetPoints: number
  /** Points after an alarming onset during which no new onset is marked (0: none). */
  refractoryPoints: number
  /** The score of an alarming onset (default: the high sensitivity's, p = 1e-3). */
  alarmScore: number
  /** The score of a stretch of points that all made moves never seen before (0: novelty ignored). */
  noveltyWeight: number
}

/** The refractory defaults: chosen on NAB's development half (bench/nab-tune.ts). */
export const defaultOnsetOptions = { onsetPoints: 100, refractoryPoints: 50, alarmScore: scoreOf(1e-3) } as const

/**
 * Chosen with NAB's scorer after cross-validation (bench/nab-tune.ts): a stretch where every
 * move is new scores 0.4 (as rare as p = 4e-7 would be), and 5 new moves of 8 score 0.25, the
 * medium sensitivity's alarm.
 */
export const defaultNoveltyWeight = 0.4

/** Recorded with every stored score beside the combiner's version, so a change of detector shows in the data. */
export const detectorVersion = 'stream-4'

export class SeriesScorer {
  readonly #detector: SeriesDetector
  readonly #combiner: AnomalyCombiner
  /** Recent scores, for the onset (a ring of onsetPoints). */
  readonly #recent: Float64Array
  readonly #refractoryPoints: number
  readonly #alarmScore: number
  readonly #noveltyWeight: number
  #count = 0
  /** The point count at the last alarming onset. */
  #lastAlarm = Number.NEGATIVE_INFINITY
  /** Chunks are scored one after another, so the onsets see the scores in time order. */
  #queue: Promise<unknown> = Promise.resolve()

  constructor(combiner: AnomalyCombiner, options: Partial<ScorerOptions> = {}) {
    this.#detector = new SeriesDetector(options)
    this.#combiner = combiner
    this.#recent = new Float64Array(options.onsetPoints ?? defaultOnsetOptions.onsetPoints)
    this.#refractoryPoints = options.refractoryPoints ?? defaultOnsetOptions.refractoryPoints
    this.#alarmScore = options.alarmScore ?? defaultOnsetOptions.alarmScore
    this.#noveltyWeight = options.noveltyWeight ?? defaultNoveltyWeight
  }

  get seasonality(): Seasonality {
    return this.#detector.seasonality
  }

  get intervalMs(): number {
    return this.#detector.intervalMs
  }

  /** `<detector version>+<combiner version>`: what produced the scores. */
  get version(): string {
    return `${detectorVersion}+${this.#combiner.version}`
  }

  /** Scores `points` (in time order, after every point pushed before). */
  push(points: ReadonlyArray<{ t: number; v: number }>): Promise<ScoredPoint[]> {
    // The statistics are taken now, in call order; only the model run waits.
    const statistics = points.map((point) => this.#detector.push(point.t, point.v))
    const scored = this.#queue.then(async () => this.#mark(statistics, await this.#combiner.combine(statistics)))
    this.#queue = scored.catch(() => undefined)
    return scored
  }

  #mark(statistics: PointStatistics[], decades: Float64Array): ScoredPoint[] {
    const m = this.#recent.length
    return statistics.map((stats, i) => {
      const novelty = stats.scored ? this.#noveltyWeight * stats.novelty : 0
      const combined = decades[i]! / scoreDecades
      const score = Math.min(1, Math.max(combined, novelty))
      // Distance of a novelty: the share of the recent moves that were never made before.
      const why = novelty > combined ? { driver: AnomalyDrivers.novelty, distances: { ...stats.distances, novelty: stats.novelty } } : {}
      let peak = 0
      for (let j = 0; j < m; j++) peak = Math.max(peak, this.#recent[j]!)
      if (m > 0) this.#recent[this.#count % m] = score
      const onset = score > peak && this.#count - this.#lastAlarm > this.#refractoryPoints ? score : 0
      if (onset > 0 && onset >= this.#alarmScore) this.#lastAlarm = this.#count
      this.#count++
      return { ...stats, ...why, score, p: Math.min(1, 10 ** -decades[i]!), onset }
    })
  }
}
