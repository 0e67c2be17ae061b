/**
 * Guards against super-linear cost without a wall-clock limit: times the same work on an input
 * and on one 8 times as large, in the same run, and gives the ratio. Linear work comes out near 8
 * (less while fixed costs dominate), n log n near 9, quadratic near 64. What is timed is this
 * process's CPU time, which does not grow while other processes hold the core (wall time under
 * load made a linear scrubber measure anywhere from 7 to 28). Timings alternate between the sizes
 * and the best of each is kept; each runs the work enough times to last a few milliseconds.
 * Absolute speed is measured by `npm run bench`, not here.
 */

/** Above this, the cost grew faster than the input: 8 is linear, 64 quadratic; 24 sits between. */
export const superLinearGrowth = 24

export interface Growth {
  ratio: number
  /** Best time of one call on the small and on the large input, in ms (for failure messages). */
  smallMs: number
  largeMs: number
}

const minTimingMs = 5
const maxReps = 1 << 16

export function costGrowth(small: () => unknown, large: () => unknown, rounds = 5): Growth {
  small()
  large()
  let reps = 1
  while (time(small, reps) < minTimingMs && reps < maxReps) reps *= 2
  let smallMs = Infinity
  let largeMs = Infinity
  for (let round = 0; round < rounds; round++) {
    smallMs = Math.min(smallMs, time(small, reps) / reps)
    largeMs = Math.min(largeMs, time(large, reps) / reps)
  }
  return { ratio: largeMs / smallMs, smallMs, largeMs }
}

/**
 * `costGrowth` of asynchronous work (a request answered in process, say). The process's CPU time
 * is only the work's own when nothing else runs in it meanwhile: a server tier alone in the test
 * process, without a processor consuming beside it. Calls run one after another, never overlapping.
 */
export async function costGrowthAsync(small: () => Promise<unknown>, large: () => Promise<unknown>, rounds = 5): Promise<Growth> {
  await small()
  await large()
  let reps = 1
  while ((await timeAsync(small, reps)) < minTimingMs && reps < maxReps) reps *= 2
  let smallMs = Infinity
  let largeMs = Infinity
  for (let round = 0; round < rounds; round++) {
    smallMs = Math.min(smallMs, (await timeAsync(small, reps)) / reps)
    largeMs = Math.min(largeMs, (await timeAsync(large, reps)) / reps)
  }
  return { ratio: largeMs / smallMs, smallMs, largeMs }
}

/** CPU time in ms: unlike wall time, it does not grow while other processes have the core. */
function time(work: () => unknown, reps: number): number {
  const started = process.cpuUsage()
  for (let i = 0; i < reps; i++) work()
  return cpuMsSince(started)
}

async function timeAsync(work: () => Promise<unknown>, reps: number): Promise<number> {
  const started = process.cpuUsage()
  for (let i = 0; i < reps; i++) await work()
  return cpuMsSince(started)
}

function cpuMsSince(started: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(started)
  return (used.user + used.system) / 1000
}
