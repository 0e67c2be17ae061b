/**
 * Daily and weekly seasonality, found in the data and by time, not by point counts: a series of
 * any interval, with gaps, is compared with itself one period back.
 *
 * For each period the recent past is kept as time bins (the range of values seen in each), a
 * few periods deep. A value's seasonal residual is its distance from the range seen around the
 * same time one and two periods earlier (±2 bins, so a job that runs at 03:14 one day and 03:44
 * the next still lines up). A period is detected when the squared residual one period back is
 * well below that at a control lag out of phase (1.25 periods): a daily square wave, a spike each
 * night or a weekday/weekend shape qualify, noise and slow drift do not. Weekly wins over daily
 * when it explains the series better still.
 */

export const Seasonalities = { none: 'none', daily: 'daily', weekly: 'weekly' } as const
export type Seasonality = (typeof Seasonalities)[keyof typeof Seasonalities]

const hourMs = 3_600_000
const dayMs = 24 * hourMs

/** Bins on either side a seasonal lookup spans: a nightly job may drift by half an hour. */
const reach = 2
/** Residual ratio (one period back over the control lag) below which a period is seasonal. */
const seasonalRatio = 0.6
/** Weekly must also beat daily by this much. */
const weeklyOverDaily = 0.8

/** The last few periods of a series as time bins, each holding the range of values seen in it. */
class PeriodRing {
  readonly #bins: Int32Array
  readonly #min: Float32Array
  readonly #max: Float32Array

  constructor(
    readonly binMs: number,
    slots: number,
  ) {
    this.#bins = new Int32Array(slots).fill(-1)
    this.#min = new Float32Array(slots)
    this.#max = new Float32Array(slots)
  }

  add(t: number, v: number): void {
    const bin = Math.floor(t / this.binMs)
    const slot = bin % this.#bins.length
    if (this.#bins[slot] !== bin) {
      this.#bins[slot] = bin
      this.#min[slot] = v
      this.#max[slot] = v
    } else {
      if (v < this.#min[slot]!) this.#min[slot] = v
      if (v > this.#max[slot]!) this.#max[slot] = v
    }
  }

  /** Distance from `v` to the range seen in the bins around time `t` (undefined: none seen). */
  distance(t: number, v: number): number | undefined {
    const center = Math.floor(t / this.binMs)
    let low = Number.POSITIVE_INFINITY
    let high = Number.NEGATIVE_INFINITY
    for (let bin = center - reach; bin <= center + reach; bin++) {
      const slot = bin % this.#bins.length
      if (bin < 0 || this.#bins[slot] !== bin) continue
      low = Math.min(low, this.#min[slot]!)
      high = Math.max(high, this.#max[slot]!)
    }
    if (low > high) return undefined
    return v < low ? low - v : v > high ? v - high : 0
  }
}

/** Running comparison of one period's residuals with the control lag's. */
class PeriodTest {
  readonly ring: PeriodRing
  #seasonal = 0
  #control = 0
  #weight = 0
  #count = 0

  constructor(
    readonly periodMs: number,
    binMs: number,
    /** Comparisons needed before the test can pass. */
    readonly minCount: number,
  ) {
    // Deep enough for the control lag (1.25 periods) and two periods back.
    this.ring = new PeriodRing(binMs, Math.ceil((2.5 * periodMs) / binMs) + 2 * reach)
  }

  observe(t: number, v: number, decay: number): void {
    const seasonal = this.ring.distance(t - this.periodMs, v)
    const control = this.ring.distance(t - 1.25 * this.periodMs, v)
    if (seasonal !== undefined && control !== undefined) {
      this.#seasonal = this.#seasonal * decay + seasonal * seasonal
      this.#control = this.#control * decay + control * control
      this.#weight = this.#weight * decay + 1
      this.#count++
    }
    this.ring.add(t, v)
  }

  /** Seasonal residual energy over the control's; Infinity until enough comparisons. */
  get ratio(): number {
    if (this.#count < this.minCount) return Number.POSITIVE_INFINITY
    if (this.#control === 0) return this.#seasonal === 0 ? Number.POSITIVE_INFINITY : 1
    return this.#seasonal / this.#control
  }

  /** Mean squared residual one period back (recent comparisons weigh more). */
  get energy(): number {
    return this.#weight > 0 ? this.#seasonal / this.#weight : Number.POSITIVE_INFINITY
  }

  /** Distance from `v` to what was seen around the same time one and two periods back. */
  residual(t: number, v: number): number | undefined {
    const one = this.ring.distance(t - this.periodMs, v)
    const two = this.ring.distance(t - 2 * this.periodMs, v)
    if (one === undefined) return two
    return two === undefined ? one : Math.min(one, two)
  }
}

export class SeasonalProfile {
  readonly #daily: PeriodTest
  readonly #weekly: PeriodTest
  readonly #decay: number

  /** `intervalMs` is the series' typical spacing; bins are never finer than it. */
  constructor(intervalMs: number) {
    const interval = Math.max(1, intervalMs)
    const dailyBin = Math.min(hourMs, Math.max(15 * 60_000, interval))
    const weeklyBin = Math.min(6 * hourMs, Math.max(hourMs, interval))
    const pointsPerDay = dayMs / interval
    // Two periods of comparisons before a verdict; the evidence fades over about a week.
    this.#daily = new PeriodTest(dayMs, dailyBin, Math.ceil(2 * pointsPerDay))
    this.#weekly = new PeriodTest(7 * dayMs, weeklyBin, Math.ceil(14 * pointsPerDay))
    this.#decay = 2 ** (-1 / (7 * pointsPerDay))
  }

  get seasonality(): Seasonality {
    const daily = this.#daily.ratio
    const weekly = this.#weekly.ratio
    if (weekly < seasonalRatio && this.#weekly.energy < weeklyOverDaily * this.#daily.energy) return Seasonalities.weekly
    if (daily < seasonalRatio) return Seasonalities.daily
    return Seasonalities.none
  }

  /** The seasonal residual of `v` at `t` under the detected seasonality (undefined: none). */
  residual(t: number, v: number): number | undefined {
    const seasonality = this.seasonality
    if (seasonality === Seasonalities.weekly) return this.#weekly.residual(t, v)
    if (seasonality === Seasonalities.daily) return this.#daily.residual(t, v)
    return undefined
  }

  observe(t: number, v: number): void {
    this.#daily.observe(t, v, this.#decay)
    this.#weekly.observe(t, v, this.#decay)
  }
}
