export interface PromiseBuffer {
  /** Starts `task` when there is room; `false` (task not started) when the buffer is full. */
  add(task: () => Promise<unknown>): boolean
  /** Resolves `true` when every task has settled, `false` if `timeoutMs` passes first. */
  drain(timeoutMs?: number): Promise<boolean>
  size(): number
}

/** In-flight work bounded by `limit`, so a dead ingest can never grow the host's memory. */
export function createPromiseBuffer(limit: number): PromiseBuffer {
  const inFlight = new Set<Promise<unknown>>()
  return {
    add(task) {
      if (inFlight.size >= limit) return false
      const done = (): void => {
        inFlight.delete(promise)
      }
      const promise: Promise<unknown> = Promise.resolve().then(task).then(done, done)
      inFlight.add(promise)
      return true
    },
    drain(timeoutMs) {
      if (inFlight.size === 0) return Promise.resolve(true)
      return new Promise<boolean>((resolve) => {
        // Kept referenced on purpose: a caller awaiting flush before exit must get its full timeout.
        const timer = timeoutMs !== undefined && timeoutMs > 0 ? setTimeout(() => resolve(false), timeoutMs) : undefined
        const waitAll = (): void => {
          if (inFlight.size === 0) {
            if (timer) clearTimeout(timer)
            resolve(true)
            return
          }
          void Promise.allSettled([...inFlight]).then(waitAll)
        }
        waitAll()
      })
    },
    size: () => inFlight.size,
  }
}
