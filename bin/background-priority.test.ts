import { readdirSync } from 'node:fs'
import { getPriority } from 'node:os'
import { Worker } from 'node:worker_threads'
import { describe, expect, it, vi } from 'vitest'
import { createLogger } from '@faultline/core/log'
import { backgroundNice, lowerBackgroundThreads } from './background-priority'

const otherThreads = () => readdirSync('/proc/self/task').map(Number).filter((tid) => tid !== process.pid)

describe.runIf(process.platform === 'linux')('lowerBackgroundThreads', () => {
  it('lowers every thread but the main one, including threads started later', { timeout: 30_000 }, async () => {
    const mainBefore = getPriority(process.pid)
    const stop = lowerBackgroundThreads(createLogger('error'))
    try {
      expect(otherThreads().length).toBeGreaterThan(0)
      for (const tid of otherThreads()) expect(getPriority(tid)).toBeGreaterThanOrEqual(backgroundNice)
      expect(getPriority(process.pid)).toBe(mainBefore)

      const before = new Set(otherThreads())
      const worker = new Worker('setInterval(() => {}, 1000)', { eval: true })
      await new Promise((resolve) => worker.once('online', resolve))
      const started = otherThreads().filter((tid) => !before.has(tid))
      expect(started.length).toBeGreaterThan(0)
      // A later sweep (every 5 s) reaches the new threads: wait for that, failing after 20 s.
      await vi.waitFor(
        () => {
          for (const tid of started.filter((t) => otherThreads().includes(t))) expect(getPriority(tid)).toBeGreaterThanOrEqual(backgroundNice)
        },
        { timeout: 20_000, interval: 100 },
      )
      await worker.terminate()
    } finally {
      stop()
    }
  })
})
