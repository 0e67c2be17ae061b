/**
 * Contextual novelty: how many of a series' recent moves it has never made before. The spirit of
 * Smirnov's Contextual Anomaly Detector (CAD-OSE) reduced to its simplest context, written here
 * from the idea: each value is quantized into levels, and a point is novel when the move from the
 * previous point's level to its own was never seen on this series. The statistic is the share of
 * novel moves among the last `windowPoints` points.
 *
 * The levels are a share of the range the series showed while the moves were learned (earlier
 * points only: no min/max in advance), so the statistic is the same on counts, percentages and
 * bytes. After the warm-up the grid is fixed, so a new extreme does not redraw it under the moves
 * already learned; values beyond that range fall into further levels of the same width (up to one
 * range's worth on either side, then the outermost).
 *
 * It sees what distances miss: a series that settles into a new shape or moves into a part of its
 * range it rarely visited keeps making moves it never made, while each point stays close to some
 * prediction.
 */

export interface NoveltyOptions {
  /** Levels across the range seen during the warm-up. */
  levels: number
  /** Points whose moves are counted. */
  windowPoints: number
  /** Moves learned before the grid is fixed and novelty reported (0 until then: at first every move is new). */
  warmupPoints: number
}

export const defaultNoveltyOptions: NoveltyOptions = { levels: 16, windowPoints: 8, warmupPoints: 1000 }

export class TransitionNovelty {
  readonly #options: NoveltyOptions
  /** Levels in the table: the warm-up range and one range's worth on either side. */
  readonly #symbols: number
  /** Which moves (from symbol × symbols + to symbol) were seen: a fixed table, not a growing map. */
  readonly #seen: Uint8Array
  readonly #recent: Uint8Array
  /** The warm-up's last points and whether each continued from the one before, to learn once the grid is fixed. */
  readonly #warmup: Float64Array
  readonly #warmupContinues: Uint8Array
  #novel = 0
  #moves = 0
  #count = 0
  #previous = -1
  #low = Number.NaN
  #high = Number.NaN
  /** The fixed grid: the value of level 0 of the warm-up range and the width of a level (0 until fixed). */
  #origin = 0
  #width = 0

  constructor(options: Partial<NoveltyOptions> = {}) {
    this.#options = { ...defaultNoveltyOptions, ...options }
    const { levels, windowPoints, warmupPoints } = this.#options
    if (!(levels >= 1 && windowPoints >= 1 && warmupPoints >= 0)) throw new RangeError('novelty needs at least one level and one window point')
    this.#symbols = 3 * levels
    this.#seen = new Uint8Array(this.#symbols * this.#symbols)
    this.#recent = new Uint8Array(windowPoints)
    this.#warmup = new Float64Array(warmupPoints + 1)
    this.#warmupContinues = new Uint8Array(warmupPoints + 1)
  }

  /**
   * The share of novel moves among the last `windowPoints` points, this one included (0 until the
   * grid is fixed), then learns `v`. `continues` is false after a gap (or for the first point):
   * the previous point says nothing about this one, so no move is counted.
   */
  push(v: number, continues: boolean): number {
    if (this.#width === 0) {
      this.#learnWarmup(v, continues)
      return 0
    }
    const symbol = this.#symbolOf(v)
    let novel = 0
    if (continues && this.#previous >= 0) {
      const move = this.#previous * this.#symbols + symbol
      novel = this.#seen[move] === 0 ? 1 : 0
      this.#seen[move] = 1
    }
    const slot = this.#count % this.#recent.length
    this.#novel += novel - this.#recent[slot]!
    this.#recent[slot] = novel
    this.#count++
    this.#previous = symbol
    return this.#novel / this.#recent.length
  }

  /** Keeps the warm-up's last points; once enough moves over a non-empty range were seen, fixes the grid and learns their moves. */
  #learnWarmup(v: number, continues: boolean): void {
    const ring = this.#warmup.length
    this.#warmup[this.#count % ring] = v
    this.#warmupContinues[this.#count % ring] = continues ? 1 : 0
    this.#count++
    if (continues) this.#moves++
    this.#low = Number.isNaN(this.#low) ? v : Math.min(this.#low, v)
    this.#high = Number.isNaN(this.#high) ? v : Math.max(this.#high, v)
    // A flat series has no range to cut yet: it keeps waiting, on a bounded ring.
    if (this.#moves < this.#options.warmupPoints || !(this.#high > this.#low)) return
    this.#origin = this.#low
    this.#width = (this.#high - this.#low) / this.#options.levels
    const kept = Math.min(this.#count, ring)
    for (let k = this.#count - kept; k < this.#count; k++) {
      const symbol = this.#symbolOf(this.#warmup[k % ring]!)
      if (this.#warmupContinues[k % ring] === 1 && this.#previous >= 0) this.#seen[this.#previous * this.#symbols + symbol] = 1
      this.#previous = symbol
    }
  }

  /** `v`'s level on the fixed grid: the warm-up range is levels `levels` … 2 × `levels` − 1. */
  #symbolOf(v: number): number {
    const level = Math.floor((v - this.#origin) / this.#width) + this.#options.levels
    return Math.min(this.#symbols - 1, Math.max(0, level))
  }
}
