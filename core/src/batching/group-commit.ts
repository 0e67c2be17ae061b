/**
 * Group commit: callers add items and wait; at most one flush runs at a time, and everything
 * added while it runs goes out together in the next one. Under load this turns many small
 * durable writes into few large ones without adding latency when idle.
 */
export interface GroupCommitOptions<T> {
  /** Upper bound on items per flush; one caller's items are never split across flushes. */
  maxBatchSize: number
  flush: (items: T[]) => Promise<void>
}

interface Entry<T> {
  items: T[]
  resolve: () => void
  reject: (error: unknown) => void
}

export class GroupCommit<T> {
  readonly #options: GroupCommitOptions<T>
  #queue: Entry<T>[] = []
  #queuedItems = 0
  #flushing = false

  constructor(options: GroupCommitOptions<T>) {
    this.#options = options
  }

  /** Resolves once `items` are flushed; rejects with the flush's error. */
  add(items: T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ items, resolve, reject })
      this.#queuedItems += items.length
      if (!this.#flushing) void this.#drain()
    })
  }

  get pendingItems(): number {
    return this.#queuedItems
  }

  async #drain(): Promise<void> {
    this.#flushing = true
    try {
      while (this.#queue.length > 0) {
        const batch = this.#takeBatch()
        const items = batch.flatMap((entry) => entry.items)
        this.#queuedItems -= items.length
        try {
          await this.#options.flush(items)
          for (const entry of batch) entry.resolve()
        } catch (error) {
          for (const entry of batch) entry.reject(error)
        }
      }
    } finally {
      this.#flushing = false
    }
  }

  #takeBatch(): Entry<T>[] {
    let count = 0
    let size = 0
    while (count < this.#queue.length) {
      const next = this.#queue[count]!.items.length
      if (count > 0 && size + next > this.#options.maxBatchSize) break
      size += next
      count++
    }
    return this.#queue.splice(0, count)
  }
}
