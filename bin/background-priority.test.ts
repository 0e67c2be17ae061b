import { readdirSync } from 'node:fs'
import { getPriority } from 'node:os'
import { Worker } from 'node:worker_threads'
import { describe, expect, it, vi } from 'vitest'
import { createLogger } from '@faultline/core/log'
import { backgroundSweepMs, lowerBackgroundThreads } from './background-priority'

const otherThreads = () => readdirSync('/proc/self/task').map(Number).filter((tid) => tid !== process.pid)

describe.runIf(process.platform === 'linux')('lowerBackgroundThreads', () => {
  it('lowers every thread but the main one, including threads started later', async () => {
    // The periodic sweep runs on a fake interval, advanced by hand: the test waits for no timer.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const mainBefore = getPriority(process.pid)
    // The lowest priority, so that the change shows even when the tests run under `nice`: new
    // threads inherit their creator's level, which would already be the default background one.
    const nice = 19
    expect(mainBefore).toBeLessThan(nice)
    const stop = lowerBackgroundThreads(createLogger('error'), nice)
    let worker: Worker | undefined
    try {
      expect(otherThreads().length).toBeGreaterThan(0)
      for (const tid of otherThreads()) expect(getPriority(tid)).toBe(nice)
      expect(getPriority(process.pid)).toBe(mainBefore)

      const before = new Set(otherThreads())
      const fresh = new Worker('setInterval(() => {}, 1000)', { eval: true })
      worker = fresh
      await new Promise((resolve) => fresh.once('online', resolve))
      const started = otherThreads().filter((tid) => !before.has(tid))
      expect(started.length).toBeGreaterThan(0)
      expect(started.map((tid) => getPriority(tid))).toContain(mainBefore)
      // The next sweep reaches the threads started since the first one.
      vi.advanceTimersByTime(backgroundSweepMs)
      for (const tid of started.filter((t) => otherThreads().includes(t))) expect(getPriority(tid)).toBe(nice)
    } finally {
      stop()
      vi.useRealTimers()
      await worker?.terminate()
    }
  })
})
