/**
 * A streaming anomaly detector for one series: `push(t, v)` scores a point from what came before
 * it only, so a backtest over a whole series and the live job feeding one minute at a time run
 * the same code and give the same scores.
 *
 * Each point is compared with three predictions: the previous point, a level that follows the
 * series (an exponential average whose weight grows with the time since the last point, so gaps
 * and irregular spacing are honoured), and the same time one and two periods back when a daily
 * or weekly season was detected (seasonal-profile.ts). The distance to the nearest of them, in
 * units of the series' typical step between points, is the point statistic: a value is unusual
 * only if no prediction expected it. Two more statistics catch shifts too small for one point:
 * the mean of the last 6 points, and of the last 144, against the level (the slow one sees a
 * lasting change of one standard deviation that no single point shows). Each statistic is turned into a tail
 * probability against its own history (tail-calibrator.ts), which makes the statistics scale-free
 * (counts, percentages, latencies, bytes and rates below 1 alike): each is the improbability, in
 * decades, of a point at least this unusual on this series so far. The anomaly combiner (an ONNX
 * model, combiner.ts) turns the three into one calibrated score, and series-scorer.ts marks onsets.
 */
import { SeasonalProfile, Seasonalities, type Seasonality } from './seasonal-profile'
import { TailCalibrator, type CalibratorOptions } from './tail-calibrator'
import { TransitionNovelty, type NoveltyOptions } from './transition-novelty'

export interface DetectorOptions {
  /** Weight of one step in the typical-step scale. */
  stepAlpha: number
  /** Weight of one point (at the typical interval) in the level. */
  levelAlpha: number
  /** Points in the shift statistic's mean. */
  shiftPoints: number
  /** Points in the slow shift statistic's mean (0: none). */
  slowShiftPoints: number
  /** Points before the first score (scores are 0 until then). */
  warmupPoints: number
  /** A spacing this many typical intervals long is a gap: the previous point predicts nothing. */
  gapIntervals: number
  calibration: Partial<CalibratorOptions>
  novelty: Partial<NoveltyOptions>
}

export const defaultDetectorOptions: DetectorOptions = {
  stepAlpha: 0.02,
  levelAlpha: 0.05,
  shiftPoints: 6,
  slowShiftPoints: 144,
  warmupPoints: 30,
  gapIntervals: 10,
  calibration: { tailShare: 0.01 },
  novelty: {},
}

/**
 * Why a score is high: the prediction the point was nearest to (a spike, a level or a seasonal
 * residual), a shift, or, set by the scorer when it outweighs them, novelty (moves never made before).
 */
export const AnomalyDrivers = { spike: 'spike', level: 'level', seasonal: 'seasonal', shift: 'shift', novelty: 'novelty' } as const
export type AnomalyDriver = (typeof AnomalyDrivers)[keyof typeof AnomalyDrivers]

/** The statistics of one point: what the combiner scores. */
export interface PointStatistics {
  /** False during warm-up (before the scales settled): the point gets no score. */
  scored: boolean
  /** Improbability in decades (−log10 p) of the point, shift and slow shift statistics; the combiner's input. */
  decades: [point: number, shift: number, slowShift: number]
  /** The statistics in typical steps: distance to each prediction, and the shift's z. */
  distances: Partial<Record<AnomalyDriver, number>>
  /** The most improbable statistic (for a point, the prediction it was nearest to). */
  driver: AnomalyDriver
  seasonality: Seasonality
  /** Share of the last few points that made a move between levels of the range never seen before (transition-novelty.ts). */
  novelty: number
}

/** Decades of improbability a score of 1 stands for. */
export const scoreDecades = 16

/**
 * The score of a probability: its improbability in decades over `scoreDecades`, so 0.25 is one
 * chance in 10,000 and 0.5 one in 10^8. Unlike 1 − p, it does not round to 1 for every strong
 * anomaly, so stronger ones still rank higher.
 */
export function scoreOf(p: number): number {
  return Math.min(1, Math.max(0, decadesOf(p) / scoreDecades))
}

/** A probability's improbability in decades, −log10 p. */
export const decadesOf = (p: number): number => Math.max(0, -Math.log10(Math.max(p, 1e-300)))

/** The probability a score stands for (the inverse of `scoreOf`). */
export function probabilityOf(score: number): number {
  return 10 ** (-score * scoreDecades)
}

const intervalSamples = 16
const tiny = 1e-12

export class SeriesDetector {
  readonly #options: DetectorOptions
  readonly #point: TailCalibrator
  readonly #shift: TailCalibrator
  readonly #slowShift: TailCalibrator
  readonly #novelty: TransitionNovelty
  readonly #intervals = new Float64Array(intervalSamples)
  readonly #recent: Float64Array
  #intervalCount = 0
  #interval = 0
  #profile: SeasonalProfile | undefined
  #count = 0
  #lastT = Number.NaN
  #lastV = Number.NaN
  #level = 0
  #step = 0
  #steps = 0
  /** The smallest change ever seen: the data's resolution (1 for counts). */
  #quantum = Number.POSITIVE_INFINITY

  constructor(options: Partial<DetectorOptions> = {}) {
    this.#options = {
      ...defaultDetectorOptions,
      ...options,
      calibration: { ...defaultDetectorOptions.calibration, ...options.calibration },
      novelty: { ...defaultDetectorOptions.novelty, ...options.novelty },
    }
    this.#point = new TailCalibrator(this.#options.calibration)
    this.#shift = new TailCalibrator(this.#options.calibration)
    this.#slowShift = new TailCalibrator(this.#options.calibration)
    this.#novelty = new TransitionNovelty(this.#options.novelty)
    this.#recent = new Float64Array(Math.max(this.#options.shiftPoints, this.#options.slowShiftPoints))
  }

  get seasonality(): Seasonality {
    return this.#profile?.seasonality ?? Seasonalities.none
  }

  /** Typical spacing of the points in ms (0 until two points were seen). */
  get intervalMs(): number {
    return this.#interval
  }

  /** The statistics of the point at `t` (epoch ms, not before the previous one) with value `v`, then learns it. */
  push(t: number, v: number): PointStatistics {
    const o = this.#options
    const dt = this.#count > 0 ? t - this.#lastT : 0
    if (dt > 0) this.#learnInterval(dt)
    const gap = this.#count === 0 || (this.#interval > 0 && dt > o.gapIntervals * this.#interval)
    const distances: Partial<Record<AnomalyDriver, number>> = {}
    // A sparse count series (mostly 0, now and then 1) has a tiny typical step; its resolution
    // is the unit then, or every 1 would look like a jump of twenty. The resolution includes this
    // point's change: the first event of a silent series is a change of one unit, not infinity.
    const change = this.#count > 0 ? Math.abs(v - this.#lastV) : 0
    const quantum = change > 0 ? Math.min(this.#quantum, change) : this.#quantum
    const resolution = Number.isFinite(quantum) ? quantum : 0
    const unit = Math.max(this.#step, resolution, tiny * (Math.abs(this.#level) + tiny))
    let nearest = Number.POSITIVE_INFINITY
    let driver: AnomalyDriver = AnomalyDrivers.level
    const consider = (name: AnomalyDriver, residual: number | undefined): void => {
      if (residual === undefined) return
      const distance = residual / unit
      distances[name] = distance
      if (distance < nearest) {
        nearest = distance
        driver = name
      }
    }
    if (this.#count > 0) {
      if (!gap) consider(AnomalyDrivers.spike, Math.abs(v - this.#lastV))
      consider(AnomalyDrivers.level, Math.abs(v - this.#level))
      consider(AnomalyDrivers.seasonal, this.#profile?.residual(t, v))
    }
    const shift = this.#shiftStatistic(v, unit, o.shiftPoints)
    if (shift !== undefined) distances.shift = shift
    const slow = o.slowShiftPoints > 0 ? this.#shiftStatistic(v, unit, o.slowShiftPoints) : undefined
    const scored = this.#count >= o.warmupPoints && this.#steps >= 5 && Number.isFinite(nearest)
    const pPoint = scored ? this.#point.pValue(nearest) : 1
    const pShift = scored && shift !== undefined ? this.#shift.pValue(shift) : 1
    const pSlow = scored && slow !== undefined ? this.#slowShift.pValue(slow) : 1
    if (Math.min(pShift, pSlow) < pPoint) driver = AnomalyDrivers.shift
    // Statistics from before the step scale settled are not typical of the series.
    if (scored) {
      this.#point.add(nearest)
      if (shift !== undefined) this.#shift.add(shift)
      if (slow !== undefined) this.#slowShift.add(slow)
    }
    const novelty = this.#novelty.push(v, !gap)
    this.#learn(t, v, dt, gap)
    const decades: PointStatistics['decades'] = [decadesOf(pPoint), decadesOf(pShift), decadesOf(pSlow)]
    return { scored, decades, distances, driver, seasonality: this.seasonality, novelty }
  }

  #learnInterval(dt: number): void {
    const slot = this.#intervalCount % intervalSamples
    const replaced = this.#intervalCount >= intervalSamples ? this.#intervals[slot]! : Number.NaN
    this.#intervals[slot] = dt
    this.#intervalCount++
    // A regular series replaces an interval with an equal one: the median stands.
    if (dt !== replaced) {
      const samples = this.#intervals.slice(0, Math.min(this.#intervalCount, intervalSamples)).sort()
      this.#interval = samples[samples.length >> 1]!
    }
    // Seasonal bins follow the series' spacing, known once a few intervals were seen.
    if (!this.#profile && this.#intervalCount >= 4) this.#profile = new SeasonalProfile(this.#interval)
  }

  /** |mean of the last points − level| in steps, scaled like a mean of that many points. */
  #shiftStatistic(v: number, unit: number, k: number): number | undefined {
    const ring = this.#recent.length
    if (k === 0 || this.#count < k) return undefined
    let sum = v
    for (let j = 1; j < k; j++) sum += this.#recent[(this.#count - j) % ring]!
    return (Math.abs(sum / k - this.#level) / unit) * Math.sqrt(k)
  }

  #learn(t: number, v: number, dt: number, gap: boolean): void {
    const o = this.#options
    if (this.#count === 0) this.#level = v
    else {
      if (!gap) {
        const step = Math.abs(v - this.#lastV)
        this.#step = this.#steps === 0 ? step : this.#step + o.stepAlpha * (step - this.#step)
        if (step > 0 && step < this.#quantum) this.#quantum = step
        this.#steps++
      }
      // The level's weight grows with the time since the last point: a gap moves it further.
      const intervals = this.#interval > 0 ? Math.max(1, dt / this.#interval) : 1
      const alpha = 1 - (1 - o.levelAlpha) ** intervals
      this.#level += alpha * (v - this.#level)
    }
    this.#recent[this.#count % this.#recent.length] = v
    this.#profile?.observe(t, v)
    this.#count++
    this.#lastT = t
    this.#lastV = v
  }
}
