/**
 * Cost checks for tests that guard against super-linear work: run the same work on n and on 8n
 * inputs in one process and compare CPU time (not wall time, which other processes bend).
 */

/** CPU milliseconds `work` takes, best of `rounds` (the round least disturbed by others). */
export function cpuMillis(work: () => void, rounds = 3): number {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < rounds; i++) {
    const started = process.cpuUsage()
    work()
    const used = process.cpuUsage(started)
    best = Math.min(best, (used.user + used.system) / 1000)
  }
  return best
}

/**
 * How many times longer the work on 8× the input takes than on 1×: about 8 when linear, 64
 * when quadratic. `prepare(n)` builds the input outside the timing and returns the work.
 */
export function growthOf8x(prepare: (n: number) => () => void, n: number): number {
  const small = prepare(n)
  const large = prepare(8 * n)
  small() // warm the JIT on the same code path
  return cpuMillis(large) / Math.max(cpuMillis(small), 0.05)
}
