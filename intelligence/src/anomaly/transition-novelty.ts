/**
 * Contextual novelty: how many of a series' recent moves it has never made before. The spirit of
 * Smirnov's Contextual Anomaly Detector (CAD-OSE) reduced to its simplest context, written here
 * from the idea: each value is quantized against the series' running range (known from earlier
 * points only: no min/max in advance), and a point is novel when the move from the previous
 * point's level to its own was never seen on this series. The statistic is the share of novel
 * moves among the last `windowPoints` points.
 *
 * It sees what distances miss: a series that settles into a new shape (a daily curve that starts
 * to jump, a flat stretch that starts to wobble, a metric that falls to a level it never visited)
 * keeps making moves it never made, while each point stays close to some prediction. The levels
 * are a share of the range, so the statistic is the same on counts, percentages and bytes.
 */

export interface NoveltyOptions {
  /** Levels the running range is cut into (plus one below it and one above it). */
  levels: number
  /** Points whose moves are counted. */
  windowPoints: number
  /** Moves learned before novelty is reported (0 until then: at first every move is new). */
  warmupPoints: number
}

export const defaultNoveltyOptions: NoveltyOptions = { levels: 24, windowPoints: 12, warmupPoints: 1000 }

export class TransitionNovelty {
  readonly #options: NoveltyOptions
  /** Symbols: 0 below the running range, 1 … levels inside it, levels + 1 above it. */
  readonly #symbols: number
  /** Which moves (from symbol × symbols + to symbol) were seen: a fixed table, not a growing map. */
  readonly #seen: Uint8Array
  readonly #recent: Uint8Array
  #novel = 0
  #moves = 0
  #count = 0
  #previous = -1
  #low = Number.NaN
  #high = Number.NaN

  constructor(options: Partial<NoveltyOptions> = {}) {
    this.#options = { ...defaultNoveltyOptions, ...options }
    if (!(this.#options.levels >= 1 && this.#options.windowPoints >= 1)) throw new RangeError('novelty needs at least one level and one window point')
    this.#symbols = this.#options.levels + 2
    this.#seen = new Uint8Array(this.#symbols * this.#symbols)
    this.#recent = new Uint8Array(this.#options.windowPoints)
  }

  /**
   * The share of novel moves among the last `windowPoints` points, this one included, then learns
   * `v`. `continues` is false after a gap (or for the first point): the previous point says
   * nothing about this one, so no move is counted.
   */
  push(v: number, continues: boolean): number {
    const symbol = this.#symbolOf(v)
    let novel = 0
    if (continues && this.#previous >= 0) {
      const move = this.#previous * this.#symbols + symbol
      novel = this.#seen[move] === 0 ? 1 : 0
      this.#seen[move] = 1
      this.#moves++
    }
    const slot = this.#count % this.#recent.length
    this.#novel += novel - this.#recent[slot]!
    this.#recent[slot] = novel
    this.#count++
    this.#previous = symbol
    this.#low = Number.isNaN(this.#low) ? v : Math.min(this.#low, v)
    this.#high = Number.isNaN(this.#high) ? v : Math.max(this.#high, v)
    return this.#moves > this.#options.warmupPoints ? this.#novel / this.#recent.length : 0
  }

  /** `v`'s level in the range of the points before it. */
  #symbolOf(v: number): number {
    if (Number.isNaN(this.#low)) return 1
    if (v < this.#low) return 0
    if (v > this.#high) return this.#symbols - 1
    const range = this.#high - this.#low
    if (range <= 0) return 1
    return 1 + Math.min(this.#options.levels - 1, Math.floor(((v - this.#low) / range) * this.#options.levels))
  }
}
